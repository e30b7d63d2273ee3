import { CatenaeError, ErrorCode, TRANSACTION_MEMBERSHIP_LOST, type OutgoingRecord, type PartitionOffset, type TopicPartition, type TransportTransactions } from '@catenae/core';
import type Kafka from 'node-rdkafka';
import { publishClientLog } from './diagnostics.js';
import { reasonOf } from './kafka-errors.js';
import { classifyTransactionError, isMembershipLost, StuckCallError, type TransactionFailure } from './transaction-failure.js';

type Acked = (err: Error | null) => void;
type State = 'idle' | 'beginning' | 'open' | 'ending';

/** librdkafka answers a transactional call by the timeout it is given, or is stuck: this much later it counts as stuck. */
const STUCK_GRACE_MS = 5000;
/** The longest a single sendOffsetsToTransaction or commitTransaction call may take before it is given up. */
const STEP_TIMEOUT_MS = 15_000;
/**
 * Producers a transport may replace before it gives up (each holds a thread of libuv's pool until
 * it is fenced and released): the link then stops with CATENAE_BROKER (exit 22).
 */
const MAX_REPLACED_PRODUCERS = 3;

/** What {@link KafkaTransactions} needs of the transport it belongs to. */
export interface TransactionHost {
  readonly clientId: string;
  /** False for a link without a consumer group: its producer is idempotent, not transactional. */
  readonly isTransactional: boolean;
  /** The transactional producer now (it changes when replaced); throws before connect. */
  producer(): Kafka.Producer;
  /** The consumer whose group's offsets the transactions carry. */
  consumer(): Kafka.KafkaConsumer | undefined;
  /** How many revokes have handed partitions back so far. */
  revokes(): number;
  /** Whether a revoke after the `mark`-th (a value of `revokes()`) handed back any of `partitions`. */
  revokedSince(mark: number, partitions: readonly TopicPartition[]): boolean;
  /**
   * The group no longer counts this member: keeps the consumer polled (librdkafka delivers the
   * revoke of its partitions only then) until a revoke begins or `deadline` (epoch ms).
   */
  expectRevoke(deadline: number): void;
  /** Produces on the transactional producer now. */
  produceInside(records: OutgoingRecord[], onAcked: Acked): void;
  /** Produces on the idempotent producer of records sent while no transaction is open. */
  produceOutside(records: OutgoingRecord[], onAcked: Acked): void;
  /**
   * The first record of the transactional producer whose delivery failed since the last call:
   * records are acknowledged once librdkafka holds them, so a failed delivery shows at the commit.
   */
  takeDeliveryFailure(): Error | undefined;
  /**
   * Connects a new transactional producer with the same `transactional.id` in place of the current
   * one, which a call of librdkafka's never returned from: that one is left alone (destroying a
   * client while a call waits inside it is not safe). Gives up after `timeoutMs`.
   */
  replaceProducer(timeoutMs: number): Promise<void>;
  /**
   * Frees the producers replaced so far, fenced by the current one now that it is initialised,
   * through a record for `partition` that is never written (see StuckProducers).
   */
  releaseStuckProducers(partition: TopicPartition): void;
  /** A call given up as stuck on `producer` answered at last: a replaced producer can now be closed. */
  stuckCallEnded(producer: Kafka.Producer): void;
}

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
 * The records of the open transaction are kept until it ends, so a commit that fails where the
 * transaction itself was sound (a step that timed out, or one that never returns: librdkafka 2.12
 * can wait for ever in sendOffsetsToTransaction once the group coordinator's broker left the
 * cluster, confluentinc/librdkafka#5511) is redone: the transaction is aborted (by a new producer
 * with the same `transactional.id` when the old one stopped answering), its records are produced
 * again in a new one with the same offsets, and that one is committed. A transaction is never
 * redone once a revoke handed its partitions back, nor after errors of the group membership.
 * Records are acknowledged once librdkafka holds them (see HandoverProducer): one that is not
 * delivered (its partition without a leader for `message.timeout.ms`) fails the commit, which
 * is then redone the same way.
 *
 * A link without inputs has no offsets to commit with its outputs: its producer is idempotent
 * (acks=all) but not transactional, and `init` resolves at once.
 */
export class KafkaTransactions implements TransportTransactions {
  /** See `TransportTransactions.spanMs`: each transaction costs the brokers several requests and a marker per partition. */
  readonly spanMs = 100;
  readonly #host: TransactionHost;
  #state: State = 'idle';
  #begun: Promise<void> = Promise.resolve();
  #parked: { records: OutgoingRecord[]; onAcked: Acked }[] = [];
  #beginError: Error | undefined;
  /** What the open transaction produced, to produce again should it have to be redone. */
  #produced: OutgoingRecord[][] = [];
  #revokesAtBegin = 0;
  #replacedProducers = 0;
  readonly #stepTimeoutMs: number;
  readonly #stuckGraceMs: number;

  /** @param timing shorter bounds for tests (defaults: 15000 ms a step, stuck 5000 ms after that). */
  constructor(host: TransactionHost, timing: { stepTimeoutMs?: number; stuckGraceMs?: number } = {}) {
    this.#host = host;
    this.#stepTimeoutMs = timing.stepTimeoutMs ?? STEP_TIMEOUT_MS;
    this.#stuckGraceMs = timing.stuckGraceMs ?? STUCK_GRACE_MS;
  }

  /** See `TransportTransactions.init`: fences (and aborts the open transaction of) an older producer with this `transactional.id`. */
  async init(timeoutMs: number): Promise<void> {
    if (!this.#host.isTransactional) return;
    await this.#retrying('initialise transactions', Date.now() + timeoutMs, (ms, done) => this.#host.producer().initTransactions(ms, done));
  }

  /** See `TransportTransactions.begin`: records produced from now on belong to the transaction. */
  begin(): void {
    if (!this.#host.isTransactional) return;
    this.#state = 'beginning';
    this.#beginError = undefined;
    this.#produced = [];
    this.#host.takeDeliveryFailure();
    this.#revokesAtBegin = this.#host.revokes();
    this.#begun = this.#call('begin a transaction', undefined, (done) => this.#host.producer().beginTransaction(done)).then(
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
   * beginning is open; failed if beginning fails), else to the idempotent producer of records
   * sent while no transaction is open (a generator's, a loop's).
   */
  route(records: OutgoingRecord[], onAcked: Acked): void {
    if (!this.#host.isTransactional) return this.#host.produceInside(records, onAcked);
    if (this.#state === 'open') {
      this.#produced.push(records);
      return this.#host.produceInside(records, onAcked);
    }
    if (this.#state === 'beginning') {
      this.#parked.push({ records, onAcked });
      return;
    }
    this.#host.produceOutside(records, onAcked);
  }

  /** See `TransportTransactions.commit`: redoes the transaction where it can (see above); else rejects with `CATENAE_BROKER` and the caller aborts. */
  async commit(offsets: readonly PartitionOffset[], timeoutMs: number): Promise<void> {
    if (!this.#host.isTransactional && offsets.length === 0) return;
    await this.#begun;
    this.#state = 'ending';
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        const failure = await this.#sendAndCommit(offsets, deadline);
        if (failure === undefined || (await this.#redo(failure, offsets, deadline)) === 'committed') break;
      }
    } catch (err) {
      if (!isMembershipLost(err)) throw err;
      this.#host.expectRevoke(Date.now() + timeoutMs);
      const error = err as CatenaeError;
      throw new CatenaeError(ErrorCode.Broker, error.message, { cause: error.cause ?? error, details: { ...error.details, transaction: TRANSACTION_MEMBERSHIP_LOST } });
    }
    this.#produced = [];
    this.#state = 'idle';
  }

  /** See `TransportTransactions.abort`. */
  async abort(timeoutMs: number): Promise<void> {
    if (!this.#host.isTransactional) return;
    await this.#begun.catch(() => undefined);
    this.#state = 'ending';
    this.#produced = [];
    try {
      await this.#call('abort the transaction', timeoutMs, (done) => this.#host.producer().abortTransaction(timeoutMs, done));
    } finally {
      this.#state = 'idle';
    }
  }

  /** Sends the offsets and commits: undefined once committed, else what failed. */
  async #sendAndCommit(offsets: readonly PartitionOffset[], deadline: number): Promise<TransactionFailure | undefined> {
    let step: TransactionFailure['step'] = 'offsets';
    try {
      if (offsets.length > 0) {
        const consumer = this.#host.consumer();
        if (consumer === undefined) throw new CatenaeError(ErrorCode.Broker, `Kafka client "${this.#host.clientId}" has no consumer group to commit offsets for`);
        await this.#retrying('send offsets to the transaction', deadline, (ms, done) =>
          this.#host.producer().sendOffsetsToTransaction(offsets as PartitionOffset[], consumer, ms, done),
        );
      }
      step = 'commit';
      await this.#retrying('commit the transaction', deadline, (ms, done) => this.#host.producer().commitTransaction(ms, done));
      return undefined;
    } catch (err) {
      return classifyTransactionError(this.#withDeliveryFailure(err), step);
    }
  }

  /**
   * Redoes a transaction whose commit failed: aborts it (through a new producer when the old one
   * is stuck or fenced), finds out whether a commit that was under way went through after all,
   * and otherwise produces its records again in a new transaction. Throws the failure's error
   * when the transaction must not or cannot be redone.
   */
  async #redo(failure: TransactionFailure, offsets: readonly PartitionOffset[], deadline: number): Promise<'committed' | 'redone'> {
    if (failure.kind === 'final' || Date.now() >= deadline) throw failure.error;
    // Another member may own these partitions now: their offsets and outputs are its to make. A
    // revoke of other partitions (the cooperative protocol's) leaves the transaction this member's.
    if (this.#host.revokedSince(this.#revokesAtBegin, offsets)) throw failure.error;
    if (failure.kind === 'abortable') {
      try {
        // The coordinators may be moving (a broker died): a retriable failure is tried again.
        await this.#retrying('abort the transaction', deadline, (ms, done) => this.#host.producer().abortTransaction(ms, done));
      } catch (err) {
        // Only a producer that stopped answering is replaced: one fenced by a newer instance
        // must not fence it back.
        const abortFailure = classifyTransactionError(err, failure.step);
        if (abortFailure.kind !== 'stuck') throw failure.error;
        failure = abortFailure;
      }
    }
    const needsProducer = failure.kind === 'stuck';
    this.#log(`the transaction could not ${failure.step === 'offsets' ? 'take its offsets' : 'commit'} (${reasonOf(failure.error)}): redoing it${needsProducer ? ' on a new producer' : ''}`);
    if (needsProducer) {
      if (this.#replacedProducers >= MAX_REPLACED_PRODUCERS) {
        throw new CatenaeError(ErrorCode.Broker, `Kafka client "${this.#host.clientId}" gave up on its transactions: ${MAX_REPLACED_PRODUCERS} producers replaced already (${reasonOf(failure.error)})`, { cause: failure.error });
      }
      this.#replacedProducers++;
      await this.#host.replaceProducer(remaining(deadline));
      // Fences the old producer: its transaction is aborted, or completed if its commit had begun.
      await this.#retrying('initialise transactions', deadline, (ms, done) => this.#host.producer().initTransactions(ms, done));
      if (offsets.length > 0) this.#host.releaseStuckProducers(offsets[0]!);
      if (failure.step === 'commit' && (await this.#isCommitted(offsets, deadline))) return 'committed';
    }
    await this.#call('begin a transaction', undefined, (done) => this.#host.producer().beginTransaction(done));
    await Promise.all(this.#produced.map((records) => new Promise<void>((resolve, reject) => this.#host.produceInside(records, (err) => (err ? reject(err) : resolve())))));
    return 'redone';
  }

  // Whether the group's committed offsets are the transaction's: its commit went through. Once
  // a new producer is initialised, the old transaction is complete one way or the other.
  async #isCommitted(offsets: readonly PartitionOffset[], deadline: number): Promise<boolean> {
    const consumer = this.#host.consumer();
    if (consumer === undefined || offsets.length === 0) return false;
    const partitions = offsets.map(({ topic, partition }) => ({ topic, partition }));
    const committed = await new Promise<Kafka.TopicPartitionOffset[]>((resolve, reject) =>
      consumer.committed(partitions, remaining(deadline), (err, result) => (err ? reject(err) : resolve(result))),
    );
    return offsets.every((o) => committed.some((c) => c.topic === o.topic && c.partition === o.partition && c.offset === o.offset));
  }

  // A commit refused because a record was not delivered says which and why: librdkafka's own
  // message only says that deliveries failed.
  #withDeliveryFailure(err: unknown): unknown {
    const failure = this.#host.takeDeliveryFailure();
    if (failure === undefined || !(err instanceof CatenaeError)) return err;
    return new CatenaeError(err.code, `${err.message} (${failure.message})`, { cause: err.cause });
  }

  #release(): void {
    const parked = this.#parked;
    this.#parked = [];
    for (const { records, onAcked } of parked) {
      if (this.#beginError !== undefined) onAcked(this.#beginError);
      else this.route(records, onAcked);
    }
  }

  #log(message: string, severity = 4): void {
    publishClientLog(this.#host.clientId, 'producer', { severity, fac: 'TXN', message });
  }

  // A retriable error (a timeout, a coordinator moving) is retried until the deadline, as
  // librdkafka's transactional API documents; any other ends the attempt. Each call is given at
  // most STEP_TIMEOUT_MS, and counts as stuck when it has not answered STUCK_GRACE_MS after that.
  async #retrying(what: string, deadline: number, fn: (timeoutMs: number, done: (err: unknown) => void) => void): Promise<void> {
    for (;;) {
      const ms = Math.min(this.#stepTimeoutMs, remaining(deadline));
      try {
        return await this.#call(what, ms, (done) => fn(ms, done));
      } catch (err) {
        const cause = (err as CatenaeError).cause as { isRetriable?: boolean } | undefined;
        if (cause?.isRetriable !== true || Date.now() >= deadline) throw err;
      }
    }
  }

  // `timeoutMs`: what librdkafka was given; no answer STUCK_GRACE_MS later rejects with StuckCallError.
  // A call given up as stuck still holds a thread of libuv's pool; its late answer (fencing ends
  // it, see StuckProducers) is logged, and its producer, replaced by then, closed.
  #call(what: string, timeoutMs: number | undefined, fn: (done: (err: unknown) => void) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let givenUpAt: number | undefined;
      let producer: Kafka.Producer | undefined;
      const done = (err: unknown): void => {
        if (givenUpAt !== undefined) {
          const later = ((Date.now() - givenUpAt) / 1000).toFixed(1);
          this.#log(`the call to ${what} given up as stuck ended ${later} s later${err ? `: ${reasonOf(err)}` : ''}`, 6);
          if (producer !== undefined) this.#host.stuckCallEnded(producer);
          return;
        }
        clearTimeout(timer);
        if (!err) return resolve();
        reject(new CatenaeError(ErrorCode.Broker, `Kafka client "${this.#host.clientId}" could not ${what}: ${reasonOf(err)}`, { cause: err }));
      };
      if (timeoutMs !== undefined) {
        const limitMs = timeoutMs + this.#stuckGraceMs;
        timer = setTimeout(() => {
          done(new StuckCallError(what, limitMs));
          givenUpAt = Date.now();
        }, limitMs);
      }
      try {
        // The producer the call runs on: the host's changes when replaced.
        producer = this.#host.producer();
        fn(done);
      } catch (err) {
        done(err ?? new Error('unknown error'));
      }
    });
  }
}

function remaining(deadline: number): number {
  return Math.max(deadline - Date.now(), 1);
}
