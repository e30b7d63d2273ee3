import type { OutgoingRecord } from '@catenae/core';
import type Kafka from 'node-rdkafka';
import { IdleWaiters } from './idle-waiters.js';
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
// A flush that has waited a while steps up to a quarter of its wait (at most this long): a broker
// slow to acknowledge (a leader lost, a loaded cluster) was otherwise polled a thousand times a
// second, each step a job on libuv's thread pool, and every link waiting on it burnt CPU the
// brokers needed. The answer comes at most a quarter of the wait late.
const MAX_FLUSH_STEP_MS = 50;
// Records a flush in progress lets through to librdkafka at once (they are acknowledged by the
// next flush): a sparse stream then leaves without waiting for the round before it, while a busy
// one, past this many, waits and goes as the next round, so a flush always ends.
const DEFAULT_EAGER_MAX = 1000;

/**
 * Produces batches on one node-rdkafka producer whose successful deliveries are not reported
 * (`delivery.report.only.error=true`): a delivery report costs a JS object, an event and a
 * persistent handle per record, about 2.5 µs, more than the rest of a forwarding link.
 *
 * Works in rounds of `flush()`: a flush ends once librdkafka holds no record, so it acknowledges
 * every batch handed to librdkafka before it began. Batches produced while a flush runs go to
 * librdkafka at once up to `eagerMax` records (acknowledged by the next flush), and wait in order
 * beyond that. A failed record (librdkafka still reports failures) fails every batch its flush
 * covers. A full local queue leaves the rest of a batch for the next round.
 */
export class FlushProducer {
  readonly #producer: Kafka.Producer;
  readonly #eagerMax: number;
  /** Handed over before the running flush began: acknowledged when it ends. */
  #round: Batch[] = [];
  /** Handed over while the running flush runs: acknowledged by the next one. */
  #eager: Batch[] = [];
  #eagerRecords = 0;
  /** Not (completely) handed over yet, in order. */
  #waiting: Batch[] = [];
  #isFlushing = false;
  #roundStartedAt = 0;
  #failure: Error | null = null;
  readonly #idle = new IdleWaiters();

  constructor(producer: Kafka.Producer, options: { eagerMax?: number } = {}) {
    this.#producer = producer;
    this.#eagerMax = options.eagerMax ?? DEFAULT_EAGER_MAX;
    producer.on('delivery-report', (err, report) => {
      if (err) this.#failure ??= deliveryError(report.topic, err);
    });
  }

  /** Records handed in and not acknowledged yet. */
  get inFlight(): number {
    let n = 0;
    for (const list of [this.#round, this.#eager, this.#waiting]) for (const batch of list) n += batch.records.length;
    return n;
  }

  /** See `Transport.produce`. */
  produce(records: OutgoingRecord[], onAcked: Acked): void {
    if (records.length === 0) {
      queueMicrotask(() => onAcked(null));
      return;
    }
    const batch: Batch = { records, next: 0, onAcked };
    if (!this.#isFlushing) {
      this.#waiting.push(batch);
      return this.#startRound();
    }
    if (this.#waiting.length === 0 && this.#eagerRecords + records.length <= this.#eagerMax && this.#handOver(batch)) {
      this.#eager.push(batch);
      this.#eagerRecords += records.length;
    } else {
      this.#waiting.push(batch);
    }
  }

  /**
   * Resolves with true once every batch produced so far is acknowledged (its `onAcked` has run),
   * or with false at the deadline (milliseconds since the epoch).
   */
  whenIdle(deadline: number): Promise<boolean> {
    if (this.#isIdle()) return Promise.resolve(true);
    return this.#idle.wait(deadline);
  }

  /** Fails every batch not yet acknowledged: called once the producer is gone. */
  failPending(error: Error): void {
    const batches = [...this.#round, ...this.#eager, ...this.#waiting];
    this.#round = [];
    this.#eager = [];
    this.#eagerRecords = 0;
    this.#waiting = [];
    for (const batch of batches) batch.onAcked(error);
    this.#settleIdle();
  }

  #isIdle(): boolean {
    return !this.#isFlushing && this.#waiting.length === 0 && this.#eager.length === 0;
  }

  // Hands a batch's records to librdkafka from `next` on; false when its local queue filled up
  // first (`next` then says where to go on).
  #handOver(batch: Batch): boolean {
    const producer = this.#producer;
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
    return i === records.length;
  }

  // The batches the last flush let through are covered by the next one, with what waited.
  #startRound(): void {
    const round = this.#eager;
    this.#eager = [];
    this.#eagerRecords = 0;
    const waiting = this.#waiting;
    while (waiting.length > 0 && this.#handOver(waiting[0]!)) round.push(waiting.shift()!);
    this.#round = round;
    this.#isFlushing = true;
    this.#roundStartedAt = Date.now();
    this.#flush();
  }

  #flush(): void {
    const step = Math.min(MAX_FLUSH_STEP_MS, Math.max(FLUSH_STEP_MS, Math.floor((Date.now() - this.#roundStartedAt) / 4)));
    try {
      this.#producer.flush(step, this.#flushed);
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
    if (failure !== null) {
      // The failed record may be any this flush covered, or one let through meanwhile, or one
      // of a batch cut short by a full queue: they all fail.
      round.push(...this.#eager);
      this.#eager = [];
      this.#eagerRecords = 0;
      if (this.#waiting.length > 0 && this.#waiting[0]!.next > 0) round.push(this.#waiting.shift()!);
    }
    for (const batch of round) batch.onAcked(failure);
    // An acknowledgement that produced has started the next round already (the runtime sends
    // table changes held behind a batch from its acknowledgement): a second one would replace
    // that round's batches, which would then never be acknowledged.
    if (this.#isFlushing) return;
    if (this.#waiting.length > 0 || this.#eager.length > 0) this.#startRound();
    else this.#settleIdle();
  };

  #settleIdle(): void {
    if (!this.#idle.isEmpty && this.#isIdle()) this.#idle.settle();
  }
}

// node-rdkafka reports a flush that ran out of time with the message "Local: Timed out" and no
// code of its own.
function isTimeout(err: unknown): boolean {
  return rdkafkaCode(err) === -185 || /timed out/i.test(String((err as { message?: unknown }).message));
}
