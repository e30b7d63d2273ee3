import type { PartitionOffset, RawRecord, RebalanceListener, TopicPartition } from '@catenae/core';
import Kafka from 'node-rdkafka';
import type { ClientConfig } from './client-config.js';
import { CommitQueue } from './commit-queue.js';
import { kafkaConsumerLagChannel, LAG_STATISTICS_INTERVAL_MS, publishClientError, publishClientLog, publishConsumerLag } from './diagnostics.js';
import { GroupRebalance } from './group-rebalance.js';
import { brokerError, closedError, isFatal } from './kafka-errors.js';
import { PartitionSet } from './partition-set.js';
import { SkipGuard } from './skip-guard.js';

type FetchDone = (err: Error | null, records: RawRecord[]) => void;

interface FetchRequest {
  max: number;
  waitMs: number;
  done: FetchDone;
}

// A poll made only to serve librdkafka's callbacks (commit answers, rebalances) while the
// runtime is not fetching: short, and what it reads is held for the next fetch. It starts on a
// later turn, so a runtime that fetches again at once (the usual case) never waits behind it,
// and it reads one record at most: node-rdkafka's consume(n) waits up to its timeout for *each*
// record, so consume(1000, 10) kept a fetch waiting while a busy stream filled it (up to 200 ms
// at 5k records/s). See native-bench/RESULTS.md for the latency before and after.
const SERVICE_WAIT_MS = 10;

/** How a {@link BatchConsumer} is set up. */
export interface BatchConsumerOptions {
  clientId: string;
  config: ClientConfig;
  /** How long `onRevoked` may take before the partitions are given up anyway. */
  revokeTimeoutMs: number;
  /** How long a commit may wait for the broker's answer. */
  commitTimeoutMs: number;
}

/**
 * The consuming half of a Kafka transport, on a node-rdkafka consumer in non-flowing mode:
 * batches come from `consume(n)` calls on libuv's thread pool, with the consumer's own message
 * objects handed over as they are (their shape is already `RawRecord`).
 *
 * librdkafka serves commit answers and rebalances only while the consumer is polled, so when
 * the runtime is not fetching and one of those is due, a short service poll runs; records it
 * reads are held and handed out first by the next fetch. Records of paused partitions are never
 * handed out: those already on their way, or read because librdkafka lost the pause, are held
 * until resumed; records of revoked partitions are dropped (the next owner reads them again from
 * the committed offset).
 */
export class BatchConsumer {
  readonly consumer: Kafka.KafkaConsumer;
  readonly #clientId: string;
  readonly #assigned = new PartitionSet();
  readonly #paused = new PartitionSet();
  readonly #commits: CommitQueue;
  readonly #rebalance: GroupRebalance;
  #held: RawRecord[] = [];
  // Partitions skipTo moved: what librdkafka reads below their new position is dropped.
  readonly #skipGuard = new SkipGuard();
  // Bumped by pause and revoke: a batch read before the change is filtered before it is handed out.
  #epoch = 0;
  #busy = false;
  #isServiceScheduled = false;
  // Set by expectRevoke: service polls run until a revoke begins or this time passes.
  #revokeExpectedUntil = 0;
  #waiting: FetchRequest[] = [];
  #subscribed = false;
  #closing = false;
  #closed = false;

  constructor(options: BatchConsumerOptions) {
    this.#clientId = options.clientId;
    this.#commits = new CommitQueue(options.commitTimeoutMs);
    this.#rebalance = new GroupRebalance({
      clientId: options.clientId,
      revokeTimeoutMs: options.revokeTimeoutMs,
      assigned: this.#assigned,
      paused: this.#paused,
      isClosed: () => this.#closed,
      onRevoking: () => {
        this.#revokeExpectedUntil = 0;
        this.#epoch++;
        this.#keepHeld();
        this.#skipGuard.retain((topic, partition) => this.#assigned.has(topic, partition));
      },
    });
    const global = { ...options.config.global, rebalance_cb: this.#rebalance.callback } as Kafka.ConsumerGlobalConfig;
    // Lag comes from librdkafka's statistics, asked for only when someone reads it (--metrics-port, announcements).
    if (kafkaConsumerLagChannel.hasSubscribers) global['statistics.interval.ms'] ??= LAG_STATISTICS_INTERVAL_MS;
    this.consumer = new Kafka.KafkaConsumer(global, options.config.topic as Kafka.ConsumerTopicConfig);
    this.#rebalance.attach(this.consumer);
    this.consumer.on('offset.commit', (err) => this.#commits.settle(err));
    this.consumer.on('event.error', (err) => publishClientError(this.#clientId, 'consumer', err));
    this.consumer.on('event.log', (event) => publishClientLog(this.#clientId, 'consumer', event));
    const isFromEarliest = ['earliest', 'smallest', 'beginning'].includes(String(options.config.topic['auto.offset.reset'] ?? 'largest'));
    this.consumer.on('event.stats', (event) => publishConsumerLag(this.#clientId, event.message, isFromEarliest));
  }

  /** Revokes that handed partitions back so far (a transaction begun before one must not be redone). */
  get revokes(): number {
    return this.#rebalance.revokes;
  }

  /** Whether a revoke after the `mark`-th (a value of `revokes`) handed back any of `partitions`. */
  revokedSince(mark: number, partitions: readonly TopicPartition[]): boolean {
    return this.#rebalance.revokedSince(mark, partitions);
  }

  /**
   * The group no longer counts this member (a transaction's offsets were refused): polls, as the
   * service poll does, until a revoke begins or `deadline` (epoch ms), since librdkafka delivers
   * the revoke of its partitions only while the consumer is polled.
   */
  expectRevoke(deadline: number): void {
    this.#revokeExpectedUntil = Math.max(this.#revokeExpectedUntil, deadline);
    this.#next();
  }

  /** See `Transport.subscribe`: an empty list leaves the group's topics. */
  subscribe(topics: readonly string[], listener: RebalanceListener): void {
    if (this.#closing) throw closedError('subscribe', this.#clientId);
    this.#rebalance.listener = listener;
    try {
      if (topics.length === 0) {
        if (this.#subscribed) this.consumer.unsubscribe();
        this.#subscribed = false;
      } else {
        this.consumer.subscribe([...topics]);
        this.#subscribed = true;
      }
    } catch (err) {
      throw brokerError(`cannot subscribe to ${topics.join(', ')}`, err);
    }
  }

  /** See `Transport.fetch`. */
  fetch(max: number, waitMs: number, done: FetchDone): void {
    if (this.#closed) return process.nextTick(done, closedError('fetch', this.#clientId), []);
    // A closing consumer hands out nothing more: the runtime's loop ends normally. setImmediate,
    // not nextTick: a loop that fetches again at once must not starve the close it waits for.
    if (this.#closing) {
      setImmediate(done, null, []);
      return;
    }
    const failure = this.#rebalance.takeError();
    if (failure !== undefined) return process.nextTick(done, failure, []);
    if (this.#held.length > 0) {
      const records = this.#takeHeld(max);
      if (records.length > 0) return process.nextTick(done, null, records);
    }
    if (this.#busy) {
      this.#waiting.push({ max, waitMs, done });
      return;
    }
    this.#consume(max >= 1 ? Math.floor(max) : 1, waitMs, done);
  }

  /** See `Transport.pause`; only assigned partitions are paused. */
  pause(partitions: readonly TopicPartition[]): void {
    const list = partitions.filter((tp) => this.#assigned.has(tp.topic, tp.partition));
    if (list.length === 0 || this.#closed) return;
    this.#epoch++;
    this.#paused.addAll(list);
    this.#call(() => this.consumer.pause(list));
  }

  /** See `Transport.resume`. */
  resume(partitions: readonly TopicPartition[]): void {
    const list = partitions.filter((tp) => this.#paused.has(tp.topic, tp.partition));
    if (list.length === 0 || this.#closed) return;
    this.#paused.deleteAll(list);
    this.#call(() => this.consumer.resume(list));
  }

  /**
   * See `Transport.skipTo`. The partitions are paused (a restore holds them), so nothing of theirs
   * was delivered: their position is the group's committed offset, and a seek moves it forward.
   * The guard then keeps records below the new position out even if librdkafka undoes the seek.
   */
  async skipTo(offsets: readonly PartitionOffset[], timeoutMs: number): Promise<void> {
    const owned = offsets.filter((tp) => this.#assigned.has(tp.topic, tp.partition));
    if (owned.length === 0 || this.#closed) return;
    const committed = await new Promise<Kafka.TopicPartitionOffset[]>((resolve, reject) =>
      this.consumer.committed(
        owned.map(({ topic, partition }) => ({ topic, partition })),
        timeoutMs,
        (err, partitions) => (err ? reject(brokerError('cannot read the committed offsets', err)) : resolve(partitions)),
      ),
    );
    for (const target of owned) {
      const { topic, partition } = target;
      const at = Math.max(committed.find((c) => c.topic === topic && c.partition === partition)?.offset ?? -1, this.#skipGuard.floorOf(topic, partition));
      if (at >= target.offset) continue;
      // Records already read past the target are handed out, not read again after the seek.
      this.#held = this.#held.filter((r) => r.topic !== topic || r.partition !== partition || r.offset >= target.offset);
      const next = this.#held.reduce((max, r) => (r.topic === topic && r.partition === partition ? Math.max(max, r.offset + 1) : max), target.offset);
      this.#skipGuard.raise(topic, partition, next);
      await new Promise<void>((resolve, reject) =>
        this.consumer.seek({ topic, partition, offset: next }, timeoutMs, (err) => (err ? reject(brokerError(`cannot seek ${topic}[${partition}] to ${next}`, err)) : resolve())),
      );
    }
  }

  // librdkafka undid a seek (see SkipGuard): the partition is sought again, in the background.
  readonly #seekAgain = (topic: string, partition: number, offset: number): void => {
    this.#call(() =>
      this.consumer.seek({ topic, partition, offset }, 0, (err) => {
        if (err) publishClientError(this.#clientId, 'consumer', brokerError(`cannot seek ${topic}[${partition}] to ${offset}`, err));
      }),
    );
  };

  /** See `Transport.commit`: settles on the broker's answer. */
  commit(offsets: readonly PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return Promise.resolve();
    if (this.#closed) return Promise.reject(closedError('commit', this.#clientId));
    try {
      this.consumer.commit(offsets as PartitionOffset[]);
    } catch (err) {
      return Promise.reject(brokerError('Kafka refused a commit', err));
    }
    const answered = this.#commits.add();
    this.#next();
    return answered;
  }

  /**
   * Leaves the group (the listener's `onRevoked` runs and may still commit), then closes the
   * consumer. Bounded by `timeoutMs`.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.#closing) return;
    const deadline = Date.now() + timeoutMs;
    this.#closing = true;
    for (const request of this.#waiting.splice(0)) request.done(null, []);
    if (this.#subscribed) {
      this.#subscribed = false;
      this.#call(() => this.consumer.unsubscribe());
      this.#next();
      await this.#rebalance.untilUnassigned(deadline);
    }
    // Commits still on their way get their answer while the consumer is polled; a disconnect
    // would drop it.
    await this.#commits.whenEmpty(deadline);
    this.#closed = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(1000, deadline - Date.now()));
      try {
        this.consumer.disconnect(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
    this.#commits.failAll(closedError('commit', this.#clientId));
    this.#held = [];
  }

  // Reads up to `max` records: at once if some are queued locally; otherwise waits up to
  // `waitMs` for one, then takes what else is already there. A single consume(max, waitMs) would
  // wait `waitMs` again after the last record of a batch.
  #consume(max: number, waitMs: number, done: FetchDone): void {
    const consumer = this.consumer;
    const epoch = this.#epoch;
    this.#busy = true;
    try {
      consumer.setDefaultConsumeTimeout(0);
      consumer.consume(max, (err, messages) => {
        if (err || messages.length > 0 || waitMs <= 0 || this.#closing) return this.#fetched(err, messages, epoch, done);
        consumer.setDefaultConsumeTimeout(waitMs);
        consumer.consume(1, (err, first) => {
          if (err || first.length === 0 || max === 1) return this.#fetched(err, first, epoch, done);
          consumer.setDefaultConsumeTimeout(0);
          consumer.consume(max - 1, (err, rest) => this.#fetched(null, err ? first : first.concat(rest), epoch, done));
        });
      });
    } catch (err) {
      this.#fetched(err, [], epoch, done);
    }
  }

  #fetched(err: unknown, messages: Kafka.Message[] | undefined, epoch: number, done: FetchDone): void {
    this.#busy = false;
    let records = (messages ?? []) as unknown as RawRecord[];
    let error: Error | null = null;
    if (err) {
      records = [];
      // librdkafka recovers from consumer errors by itself; only fatal ones end the consumer.
      if (isFatal(err) || this.#closed || !this.consumer.isConnected()) error = brokerError('Kafka consumer failed', err);
      else publishClientError(this.#clientId, 'consumer', err);
    } else if (records.length > 0) {
      if (!this.#skipGuard.isEmpty) records = this.#skipGuard.filter(records, this.#seekAgain);
      if (epoch !== this.#epoch || this.#paused.size > 0) records = this.#sort(records, epoch === this.#epoch);
    }
    done(error, records);
    this.#next();
  }

  // After a consume: serve a fetch that waited for it, else (on a later turn, if no fetch came
  // meanwhile) poll for librdkafka's callbacks if a commit answer or a rebalance is due.
  #next(): void {
    while (!this.#busy && this.#waiting.length > 0) {
      const request = this.#waiting.shift()!;
      this.fetch(request.max, request.waitMs, request.done);
    }
    if (this.#busy || this.#isServiceScheduled || !this.#isServiceDue()) return;
    this.#isServiceScheduled = true;
    setImmediate(this.#servicePoll);
  }

  #isServiceDue(): boolean {
    return !this.#closed && (this.#commits.size > 0 || this.#rebalance.isRevoking || this.#closing || Date.now() < this.#revokeExpectedUntil);
  }

  readonly #servicePoll = (): void => {
    this.#isServiceScheduled = false;
    if (this.#busy || !this.#isServiceDue()) return;
    this.#busy = true;
    const epoch = this.#epoch;
    try {
      this.consumer.setDefaultConsumeTimeout(SERVICE_WAIT_MS);
      this.consumer.consume(1, (err, messages) => {
        this.#busy = false;
        if (err) publishClientError(this.#clientId, 'consumer', err);
        else if (messages.length > 0) {
          let records = messages as unknown as RawRecord[];
          if (!this.#skipGuard.isEmpty) records = this.#skipGuard.filter(records, this.#seekAgain);
          for (const record of epoch !== this.#epoch || this.#paused.size > 0 ? this.#sort(records, epoch === this.#epoch) : records) this.#held.push(record);
        }
        this.#next();
      });
    } catch (err) {
      this.#busy = false;
      publishClientError(this.#clientId, 'consumer', err);
    }
  };

  // A batch read before a pause or a revoke, or while partitions are paused: records of revoked
  // partitions are dropped, those of paused ones held; the rest is returned. librdkafka may drop
  // a pause made just after an assignment, before it served that assignment (confluentinc/
  // librdkafka#2190, #5591): a batch begun after the pause (`isAfterPause`) that still holds
  // records of a paused partition shows it, and the partition is paused again.
  #sort(records: RawRecord[], isAfterPause = false): RawRecord[] {
    const out: RawRecord[] = [];
    let ignored: PartitionSet | undefined;
    for (const record of records) {
      if (!this.#assigned.has(record.topic, record.partition)) continue;
      if (this.#paused.has(record.topic, record.partition)) {
        this.#held.push(record);
        if (isAfterPause) (ignored ??= new PartitionSet()).add(record.topic, record.partition);
      } else out.push(record);
    }
    if (ignored !== undefined) {
      const list = ignored.list();
      this.#call(() => this.consumer.pause(list));
    }
    return out;
  }

  #takeHeld(max: number): RawRecord[] {
    const out: RawRecord[] = [];
    const keep: RawRecord[] = [];
    for (const record of this.#held) {
      if (!this.#assigned.has(record.topic, record.partition)) continue;
      if (out.length < max && !this.#paused.has(record.topic, record.partition)) out.push(record);
      else keep.push(record);
    }
    this.#held = keep;
    return out;
  }

  #keepHeld(): void {
    if (this.#held.length > 0) this.#held = this.#held.filter((r) => this.#assigned.has(r.topic, r.partition));
  }

  #call(fn: () => unknown): void {
    try {
      fn();
    } catch (err) {
      publishClientError(this.#clientId, 'consumer', err);
    }
  }
}
