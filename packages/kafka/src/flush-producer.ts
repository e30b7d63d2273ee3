import type { OutgoingRecord } from '@catenae/core';
import type Kafka from 'node-rdkafka';
import { deliveryError, RdkafkaCode, rdkafkaCode } from './kafka-errors.js';

type Acked = (err: Error | null) => void;

// One `produce` call, until every record of it is flushed.
interface Batch {
  records: OutgoingRecord[];
  /** The first record not handed to librdkafka yet (its local queue was full). */
  next: number;
  onAcked: Acked;
}

// flush() waits in steps this long: librdkafka polls in steps of up to 10 ms and, with success
// reports off, nothing wakes it when the last record is acknowledged, so a long flush returns up
// to 10 ms late; 1 ms steps return within about a millisecond.
const FLUSH_STEP_MS = 1;

/**
 * Produces batches on one node-rdkafka producer whose successful deliveries are not reported
 * (`delivery.report.only.error=true`): a delivery report costs a JS object, an event and a
 * persistent handle per record, about 2.5 µs, more than the rest of a forwarding link.
 *
 * Works in rounds: the records of every batch waiting go to librdkafka together, then `flush()`
 * waits until librdkafka holds none, and those batches are acknowledged. Batches handed in during
 * a round wait for the next one, so order is kept and a round's acknowledgement covers exactly
 * its records. A failed record (librdkafka still reports failures) fails every batch of its
 * round. A full local queue leaves the rest of a batch for the next round.
 */
export class FlushProducer {
  readonly #producer: Kafka.Producer;
  #waiting: Batch[] = [];
  #round: Batch[] = [];
  #isFlushing = false;
  #failure: Error | null = null;
  #idle: Array<() => void> = [];

  constructor(producer: Kafka.Producer) {
    this.#producer = producer;
    producer.on('delivery-report', (err, report) => {
      if (err) this.#failure ??= deliveryError(report.topic, err);
    });
  }

  /** Records handed in and not acknowledged yet. */
  get inFlight(): number {
    let n = 0;
    for (const batch of this.#round) n += batch.records.length;
    for (const batch of this.#waiting) n += batch.records.length;
    return n;
  }

  /** See `Transport.produce`. */
  produce(records: OutgoingRecord[], onAcked: Acked): void {
    if (records.length === 0) {
      queueMicrotask(() => onAcked(null));
      return;
    }
    this.#waiting.push({ records, next: 0, onAcked });
    if (!this.#isFlushing) this.#startRound();
  }

  /**
   * Resolves with true once every batch produced so far is acknowledged (its `onAcked` has run),
   * or with false at the deadline (milliseconds since the epoch).
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

  /** Fails every batch not yet acknowledged: called once the producer is gone. */
  failPending(error: Error): void {
    const batches = [...this.#round, ...this.#waiting];
    this.#round = [];
    this.#waiting = [];
    for (const batch of batches) batch.onAcked(error);
    this.#settleIdle();
  }

  #isIdle(): boolean {
    return !this.#isFlushing && this.#waiting.length === 0;
  }

  #startRound(): void {
    this.#isFlushing = true;
    const producer = this.#producer;
    const waiting = this.#waiting;
    const round: Batch[] = [];
    while (waiting.length > 0) {
      const batch = waiting[0]!;
      const { records } = batch;
      let i = batch.next;
      for (; i < records.length; i++) {
        const r = records[i]!;
        try {
          // partition undefined: librdkafka's partitioner picks it. No opaque: nothing to match.
          producer.produce(r.topic, r.partition, r.value, r.key, r.timestamp, undefined, r.headers);
        } catch (err) {
          if (rdkafkaCode(err) === RdkafkaCode.QueueFull) break;
          this.#failure ??= deliveryError(r.topic, err);
        }
      }
      batch.next = i;
      if (i < records.length) break; // the local queue is full: the rest goes next round
      round.push(waiting.shift()!);
    }
    this.#round = round;
    this.#flush();
  }

  #flush(): void {
    try {
      this.#producer.flush(FLUSH_STEP_MS, this.#flushed);
    } catch (err) {
      // Disconnected: failPending settles what is left.
      this.#isFlushing = false;
      this.#failure ??= deliveryError('(any)', err);
    }
  }

  readonly #flushed = (err: unknown): void => {
    if (err && isTimeout(err) && this.#isFlushing) return this.#flush();
    // The failure reports of this round are dispatched in the same turn of the event loop as
    // the end of the flush, after it: settle on the next turn, once they have been seen.
    setImmediate(this.#endRound, err ?? null);
  };

  readonly #endRound = (err: unknown): void => {
    if (!this.#isFlushing) return;
    const failure = this.#failure ?? (err ? deliveryError('(any)', err) : null);
    this.#failure = null;
    const round = this.#round;
    this.#round = [];
    this.#isFlushing = false;
    // A batch cut short by a full queue had records in this round: it fails with them.
    if (failure !== null && this.#waiting.length > 0 && this.#waiting[0]!.next > 0) round.push(this.#waiting.shift()!);
    for (const batch of round) batch.onAcked(failure);
    if (this.#waiting.length > 0) this.#startRound();
    else this.#settleIdle();
  };

  #settleIdle(): void {
    if (this.#idle.length > 0 && this.#isIdle()) for (const resolve of this.#idle.splice(0)) resolve();
  }
}

// node-rdkafka reports a flush that ran out of time with the message "Local: Timed out" and no
// code of its own.
function isTimeout(err: unknown): boolean {
  return rdkafkaCode(err) === -185 || /timed out/i.test(String((err as { message?: unknown }).message));
}
