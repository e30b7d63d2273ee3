import type { OutgoingRecord } from '@catenae/core';
import Kafka from 'node-rdkafka';
import { rdkafkaCode } from './kafka-errors.js';

type Acked = (err: Error | null) => void;

/** A transaction whose outputs time out is begun again this many times at most; then the link stops (exit 25). */
const MAX_OUTPUT_REDOS = 2;

interface Entry {
  records: OutgoingRecord[];
  /** The runtime's callback, until it was called. */
  onAcked: Acked | null;
}

/**
 * The outputs of the open transaction, kept so that it can be redone, each batch acknowledged to
 * the runtime once it is in the transaction that goes on.
 *
 * A record of a transaction times out when its partition has had no leader for librdkafka's
 * `transaction.timeout.ms` (60 s; a transactional producer's `message.timeout.ms` may not be
 * longer): a cluster slow to elect leaders after losing a broker. The transaction can then only
 * be aborted; instead of stopping the link, it is begun again (`restart`) and every output of it
 * produced again, in order, before the outputs produced meanwhile.
 */
export class TransactionOutputs {
  readonly #produce: (records: OutgoingRecord[], onAcked: Acked) => void;
  readonly #restart: (resend: () => void) => Promise<void>;
  #entries: Entry[] = [];
  #attempt = 0;
  #redos = 0;

  /**
   * @param produce hands records to the transactional producer.
   * @param restart aborts the transaction and begins another, calls `resend` once it is open,
   *   then lets the records produced meanwhile through; rejects when it cannot.
   */
  constructor(produce: (records: OutgoingRecord[], onAcked: Acked) => void, restart: (resend: () => void) => Promise<void>) {
    this.#produce = produce;
    this.#restart = restart;
  }

  /** Every batch of records of the transaction, in the order produced. */
  get records(): OutgoingRecord[][] {
    return this.#entries.map((entry) => entry.records);
  }

  /** A transaction begins: the outputs of the one before are forgotten (late reports of theirs are ignored). */
  reset(): void {
    this.#entries = [];
    this.#redos = 0;
    this.#attempt++;
  }

  /** Produces `records` in the transaction; `onAcked` runs once they are in the transaction that goes on, or with the error that ends it. */
  produce(records: OutgoingRecord[], onAcked: Acked): void {
    const entry: Entry = { records, onAcked };
    this.#entries.push(entry);
    this.#send(entry, this.#attempt);
  }

  #send(entry: Entry, attempt: number): void {
    this.#produce(entry.records, (err) => {
      // A report of an attempt given up: its records go again in the next one.
      if (attempt !== this.#attempt) return;
      if (err !== null && isTimedOut(err) && this.#redos < MAX_OUTPUT_REDOS) return this.#redo(err);
      settle(entry, err);
    });
  }

  #redo(err: Error): void {
    this.#attempt++;
    this.#redos++;
    const attempt = this.#attempt;
    const entries = this.#entries;
    this.#restart(() => {
      for (const entry of entries) this.#send(entry, attempt);
    }).catch(() => {
      for (const entry of entries) settle(entry, err);
    });
  }
}

function settle(entry: Entry, err: Error | null): void {
  const onAcked = entry.onAcked;
  entry.onAcked = null;
  onAcked?.(err);
}

// The transport reports a delivery failure as CATENAE_DELIVERY with librdkafka's error as cause.
function isTimedOut(err: Error): boolean {
  return rdkafkaCode(err.cause) === Kafka.CODES.ERRORS.ERR__MSG_TIMED_OUT;
}
