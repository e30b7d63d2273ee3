import type { OutgoingRecord } from '@catenae/core';
import type Kafka from 'node-rdkafka';
import { IdleWaiters } from './idle-waiters.js';
import { deliveryError, RdkafkaCode, rdkafkaCode } from './kafka-errors.js';

type Acked = (err: Error | null) => void;

// A call whose records did not all fit in librdkafka's local queue yet.
interface Waiting {
  records: OutgoingRecord[];
  /** The first record not handed to librdkafka yet. */
  next: number;
  onAcked: Acked;
}

/**
 * Produces the records of Kafka transactions on a producer that reports failed deliveries only
 * (`delivery.report.only.error=true`): a `produce` call is acknowledged once librdkafka holds
 * every one of its records, not once the broker has them.
 *
 * Inside a transaction that is all the runtime needs: no consumer reads a record of it before its
 * commit, and `commitTransaction` flushes every record first and fails when one was not delivered
 * (KafkaTransactions then aborts the transaction and produces it again, or the link stops). What
 * it saves is a delivery report per record (a JS object and an event, about 2.5 µs, more than the
 * rest of a table update) and the wait for every acknowledgement before the commit begins.
 *
 * A full local queue (`ERR__QUEUE_FULL`) parks the rest of a call, and every call behind it,
 * until polling frees room: nothing dropped, order kept. The first failed delivery is kept until
 * {@link takeFailure}, to say why a commit failed.
 */
export class HandoverProducer {
  readonly #producer: Kafka.Producer;
  readonly #pollIntervalMs: number;
  #waiting: Waiting[] = [];
  #failure: Error | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #idle = new IdleWaiters();
  readonly #tick = (): void => this.#poll();

  constructor(producer: Kafka.Producer, pollIntervalMs: number) {
    this.#producer = producer;
    this.#pollIntervalMs = pollIntervalMs;
    producer.on('delivery-report', (err, report) => {
      if (err) this.#failure ??= deliveryError(report.topic, err);
    });
  }

  /** Records not handed to librdkafka yet (its queue was full). */
  get inFlight(): number {
    let parked = 0;
    for (const waiting of this.#waiting) parked += waiting.records.length - waiting.next;
    return parked;
  }

  /** See `Transport.produce`; acknowledged once librdkafka holds every record (see above). */
  produce(records: OutgoingRecord[], onAcked: Acked): void {
    if (this.#waiting.length > 0) {
      this.#waiting.push({ records, next: 0, onAcked });
      return;
    }
    const next = this.#send(records, 0, onAcked);
    if (next === records.length) {
      queueMicrotask(() => onAcked(null));
      return;
    }
    if (next >= 0) {
      this.#waiting.push({ records, next, onAcked });
      this.#timer ??= setInterval(this.#tick, this.#pollIntervalMs);
    }
  }

  /** The first delivery that failed since the last call, if any. */
  takeFailure(): Error | undefined {
    const failure = this.#failure;
    this.#failure = undefined;
    return failure;
  }

  /** Resolves with true once no record is parked, or with false at the deadline (milliseconds since the epoch). */
  whenIdle(deadline: number): Promise<boolean> {
    if (this.#waiting.length === 0) return Promise.resolve(true);
    return this.#idle.wait(deadline);
  }

  /** Fails every parked call: called once the producer is gone. */
  failPending(error: Error): void {
    this.#stopPolling();
    for (const waiting of this.#waiting.splice(0)) waiting.onAcked(error);
    this.#idle.settle();
  }

  // Hands records to librdkafka from `from` on; returns the index of the first one the full queue
  // refused, `records.length` when all went, or -1 when one was refused for good (`onAcked` failed).
  #send(records: OutgoingRecord[], from: number, onAcked: Acked): number {
    const producer = this.#producer;
    for (let i = from; i < records.length; i++) {
      const r = records[i]!;
      try {
        // partition undefined: librdkafka's partitioner picks it.
        producer.produce(r.topic, r.partition, r.value, r.key, r.timestamp, undefined, r.headers);
      } catch (err) {
        if (rdkafkaCode(err) === RdkafkaCode.QueueFull) return i;
        // The records before it are in the transaction, which can then only be aborted.
        queueMicrotask(() => onAcked(deliveryError(r.topic, err)));
        return -1;
      }
    }
    return records.length;
  }

  // Polling serves librdkafka's reports, which frees room in its queue for the parked records.
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
      head.next = this.#send(head.records, head.next, head.onAcked);
      if (head.next >= 0 && head.next < head.records.length) return;
      waiting.shift();
      if (head.next === head.records.length) head.onAcked(null);
    }
    this.#stopPolling();
    this.#idle.settle();
  }

  #stopPolling(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
