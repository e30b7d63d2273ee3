import { CatenaeError, ErrorCode, type PartitionOffset, type TransportTransactions } from '@catenae/core';
import type Kafka from 'node-rdkafka';
import { reasonOf } from './kafka-errors.js';

type Parked = () => void;
type State = 'idle' | 'beginning' | 'open' | 'ending';

/**
 * Kafka transactions on one transactional node-rdkafka producer (`transactional.id` set), for
 * consume-transform-produce exactly once: `commit` sends the consumer group's offsets with the
 * group metadata (generation and member id, so a member fenced by a rebalance cannot commit, as
 * KIP-447 asks), then commits the transaction.
 *
 * librdkafka refuses a record produced outside a transaction, and node-rdkafka begins one on
 * libuv's thread pool: records produced between `begin()` and its answer are parked here and
 * handed to librdkafka once the transaction is open. Records sent while no transaction is open
 * go through a second, idempotent producer: they are not part of any transaction.
 *
 * A link without inputs has no offsets to commit with its outputs: its producer is idempotent
 * (acks=all) but not transactional, and `init` resolves at once.
 */
export class KafkaTransactions implements TransportTransactions {
  readonly #producer: () => Kafka.Producer;
  readonly #consumer: () => Kafka.KafkaConsumer | undefined;
  readonly #clientId: string;
  readonly #isTransactional: boolean;
  #state: State = 'idle';
  #begun: Promise<void> = Promise.resolve();
  #parked: Parked[] = [];
  #beginError: Error | undefined;

  /**
   * @param producer the connected producer (throws before connect).
   * @param isTransactional false for a link without a consumer group (see above).
   */
  constructor(producer: () => Kafka.Producer, consumer: () => Kafka.KafkaConsumer | undefined, clientId: string, isTransactional: boolean) {
    this.#producer = producer;
    this.#consumer = consumer;
    this.#clientId = clientId;
    this.#isTransactional = isTransactional;
  }

  /** See `TransportTransactions.init`: fences (and aborts the open transaction of) an older producer with this `transactional.id`. */
  init(timeoutMs: number): Promise<void> {
    if (!this.#isTransactional) return Promise.resolve();
    return this.#call('initialise transactions', (done) => this.#producer().initTransactions(timeoutMs, done));
  }

  /** See `TransportTransactions.begin`: records produced from now on belong to the transaction. */
  begin(): void {
    if (!this.#isTransactional) return;
    this.#state = 'beginning';
    this.#beginError = undefined;
    this.#begun = this.#call('begin a transaction', (done) => this.#producer().beginTransaction(done)).then(
      () => {
        if (this.#state === 'beginning') this.#state = 'open';
        this.#release();
      },
      (err: Error) => {
        this.#beginError = err;
        this.#release();
        throw err;
      },
    );
    // A failed begin is reported by the parked records and by commit or abort.
    this.#begun.catch(() => undefined);
  }

  /**
   * Routes one `produce` call: into the transaction while one is open (or, parked, once the one
   * beginning is open; `fail` if beginning fails), else to `outside`, the idempotent producer of
   * records sent while no transaction is open (a generator's, a loop's).
   */
  route(inside: () => void, outside: () => void, fail: (err: Error) => void): void {
    if (this.#state === 'open' || !this.#isTransactional) return inside();
    if (this.#state === 'beginning') {
      this.#parked.push(() => (this.#beginError === undefined ? inside() : fail(this.#beginError)));
      return;
    }
    outside();
  }

  /** See `TransportTransactions.commit`: rejects with `CATENAE_BROKER`; the caller then aborts. */
  async commit(offsets: readonly PartitionOffset[], timeoutMs: number): Promise<void> {
    if (!this.#isTransactional && offsets.length === 0) return;
    await this.#begun;
    this.#state = 'ending';
    const deadline = Date.now() + timeoutMs;
    if (offsets.length > 0) {
      const consumer = this.#consumer();
      if (consumer === undefined) throw new CatenaeError(ErrorCode.Broker, `Kafka client "${this.#clientId}" has no consumer group to commit offsets for`);
      await this.#retrying('send offsets to the transaction', deadline, (ms, done) =>
        this.#producer().sendOffsetsToTransaction(offsets as PartitionOffset[], consumer, ms, done),
      );
    }
    await this.#retrying('commit the transaction', deadline, (ms, done) => this.#producer().commitTransaction(ms, done));
    this.#state = 'idle';
  }

  /** See `TransportTransactions.abort`. */
  async abort(timeoutMs: number): Promise<void> {
    if (!this.#isTransactional) return;
    await this.#begun.catch(() => undefined);
    this.#state = 'ending';
    try {
      await this.#call('abort the transaction', (done) => this.#producer().abortTransaction(timeoutMs, done));
    } finally {
      this.#state = 'idle';
    }
  }

  #release(): void {
    const parked = this.#parked;
    this.#parked = [];
    for (const produce of parked) produce();
  }

  // A retriable error (a timeout, a coordinator moving) is retried until the deadline, as
  // librdkafka's transactional API documents; any other ends the transaction.
  async #retrying(what: string, deadline: number, fn: (timeoutMs: number, done: (err: unknown) => void) => void): Promise<void> {
    for (;;) {
      try {
        return await this.#call(what, (done) => fn(Math.max(deadline - Date.now(), 1), done));
      } catch (err) {
        const cause = (err as CatenaeError).cause as { isRetriable?: boolean } | undefined;
        if (cause?.isRetriable !== true || Date.now() >= deadline) throw err;
      }
    }
  }

  #call(what: string, fn: (done: (err: unknown) => void) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err: unknown): void => {
        if (!err) return resolve();
        reject(new CatenaeError(ErrorCode.Broker, `Kafka client "${this.#clientId}" could not ${what}: ${reasonOf(err)}`, { cause: err }));
      };
      try {
        fn(done);
      } catch (err) {
        done(err ?? new Error('unknown error'));
      }
    });
  }
}
