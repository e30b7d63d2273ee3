import type { OutgoingRecord } from '@catenae/core';
import type Kafka from 'node-rdkafka';
import { deliveryError, RdkafkaCode, rdkafkaCode } from './kafka-errors.js';

type Acked = (err: Error | null) => void;

// One per `produce` call, passed to librdkafka as every record's opaque: the delivery reports
// count it down, so a call costs one object however many records it carries.
interface DeliveryBatch {
  remaining: number;
  onAcked: Acked | null;
}

// Records of one call still waiting for room in librdkafka's queue.
interface Waiting {
  records: OutgoingRecord[];
  next: number;
  batch: DeliveryBatch;
}

/**
 * Produces batches of records on one node-rdkafka producer and reports each batch once, through
 * the delivery reports of its records. A full local queue (`ERR__QUEUE_FULL`) parks the rest of
 * the batch, and every later batch behind it, until polling frees room: nothing is dropped and
 * order is kept.
 */
export class BatchProducer {
  readonly #producer: Kafka.Producer;
  readonly #pollIntervalMs: number;
  readonly #pending = new Set<DeliveryBatch>();
  #waiting: Waiting[] = [];
  #unreported = 0;
  #timer: NodeJS.Timeout | undefined;
  #idle: Array<() => void> = [];
  readonly #tick = (): void => this.#poll();

  constructor(producer: Kafka.Producer, pollIntervalMs: number) {
    this.#producer = producer;
    this.#pollIntervalMs = pollIntervalMs;
    producer.on('delivery-report', (err, report) => this.#onReport(err, report.opaque as DeliveryBatch, report.topic));
  }

  /** Records handed to librdkafka or parked whose delivery is not reported yet. */
  get inFlight(): number {
    let parked = 0;
    for (const waiting of this.#waiting) parked += waiting.records.length - waiting.next;
    return this.#unreported + parked;
  }

  /** See `Transport.produce`. */
  produce(records: OutgoingRecord[], onAcked: Acked): void {
    if (records.length === 0) {
      queueMicrotask(() => onAcked(null));
      return;
    }
    const batch: DeliveryBatch = { remaining: records.length, onAcked };
    this.#pending.add(batch);
    if (this.#waiting.length > 0) {
      this.#waiting.push({ records, next: 0, batch });
    } else {
      const next = this.#send(records, 0, batch);
      if (next < records.length) this.#waiting.push({ records, next, batch });
    }
    this.#startPolling();
  }

  /**
   * Resolves with true once every record produced so far is reported (its batch's `onAcked` has
   * run), or with false at the deadline (milliseconds since the epoch).
   */
  whenIdle(deadline: number): Promise<boolean> {
    if (this.#isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), false);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Fails every batch not yet reported: called once the producer is gone. */
  failPending(error: Error): void {
    this.#stopPolling();
    this.#waiting = [];
    for (const batch of this.#pending) this.#fail(batch, error);
    this.#pending.clear();
    this.#unreported = 0;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  // Hands records to librdkafka from `from` on; returns the index of the first one it could not
  // (the queue is full), or `records.length`.
  #send(records: OutgoingRecord[], from: number, batch: DeliveryBatch): number {
    const producer = this.#producer;
    for (let i = from; i < records.length; i++) {
      const r = records[i]!;
      try {
        // partition undefined: librdkafka's partitioner picks it.
        producer.produce(r.topic, r.partition, r.value, r.key, r.timestamp, batch, r.headers);
      } catch (err) {
        if (rdkafkaCode(err) === RdkafkaCode.QueueFull) return i;
        // The records before this one still report; the batch has failed already.
        this.#fail(batch, deliveryError(r.topic, err));
        return records.length;
      }
      this.#unreported++;
    }
    return records.length;
  }

  #onReport(err: unknown, batch: DeliveryBatch | undefined, topic: string): void {
    this.#unreported--;
    if (batch === undefined) return;
    if (err) this.#fail(batch, deliveryError(topic, err));
    else if (--batch.remaining === 0 && batch.onAcked !== null) {
      const onAcked = batch.onAcked;
      batch.onAcked = null;
      this.#pending.delete(batch);
      onAcked(null);
    }
    if (this.#idle.length > 0 && this.#isIdle()) for (const resolve of this.#idle.splice(0)) resolve();
  }

  #isIdle(): boolean {
    return this.#unreported === 0 && this.#waiting.length === 0;
  }

  #fail(batch: DeliveryBatch, error: Error): void {
    const onAcked = batch.onAcked;
    if (onAcked === null) return;
    batch.onAcked = null;
    this.#pending.delete(batch);
    onAcked(error);
  }

  // librdkafka reports deliveries only when polled, so poll while anything is unreported.
  #poll(): void {
    try {
      this.#producer.poll();
    } catch {
      // Disconnected: failPending settles what is left.
      return this.#stopPolling();
    }
    const waiting = this.#waiting;
    while (waiting.length > 0) {
      const head = waiting[0]!;
      if (head.batch.onAcked !== null) {
        head.next = this.#send(head.records, head.next, head.batch);
        if (head.next < head.records.length) break;
      }
      waiting.shift();
    }
    if (this.#isIdle()) {
      this.#stopPolling();
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  #startPolling(): void {
    this.#timer ??= setInterval(this.#tick, this.#pollIntervalMs);
  }

  #stopPolling(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
