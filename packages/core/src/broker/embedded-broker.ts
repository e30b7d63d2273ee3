import { CatenaeError, ErrorCode } from '../errors.js';
import { partitionForKey } from '../partition/murmur2.js';
import type { OutgoingRecord, RawRecord } from '../transport/records.js';
import { GroupCoordinator, type PartitionDirectory } from './group-coordinator.js';
import { PartitionLog } from './partition-log.js';

/** How an {@link EmbeddedBroker} behaves where Kafka lets the operator choose. */
export interface EmbeddedBrokerOptions {
  /** Partitions of a topic created without a count (auto-created or `ensureTopics`). Default 4. */
  defaultPartitions?: number;
  /** Create a topic on its first produce, as `auto.create.topics.enable`. Default true. */
  autoCreateTopics?: boolean;
  /** Records kept per partition; older ones are dropped, as by retention. Default: all. */
  retentionRecords?: number;
  /** How long a rebalance waits for a member's `onRevoked` to settle. Default 10,000 ms. */
  rebalanceTimeoutMs?: number;
}

/** Work the broker completes on its next turn of the event loop. */
export interface BrokerTask {
  runTask(): void;
}

interface Topic {
  readonly logs: PartitionLog[];
  /** Settings it was created with (`cleanup.policy`, ...): kept for inspection, not enforced. */
  readonly config: Readonly<Record<string, string>>;
  // Records appended so far: the next append sequence, shared by all partitions.
  sequence: number;
}

// Kafka's rule for topic names (Topic.validate): 1 to 249 of [a-zA-Z0-9._-], not "." or "..".
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * An in-process broker that keeps Kafka's rules: topics of numbered partitions, offsets per
 * partition, murmur2 key partitioning, consumer groups with rebalances and committed offsets.
 * `EmbeddedTransportFactory` connects links to it; `TestDriver` and `catenae run` without `-k`
 * run whole topologies on one.
 *
 * Records are stored and handed out without copying: the {@link RawRecord} objects a consumer gets
 * are the broker's own, shared by every consumer, and the buffers are the producer's. Neither may
 * be mutated.
 * @publicApi
 */
export class EmbeddedBroker implements PartitionDirectory {
  /** Partitions of a topic created without a count. */
  readonly defaultPartitions: number;
  /** Whether producing to a missing topic creates it. */
  readonly autoCreateTopics: boolean;
  /** Records kept per partition. */
  readonly retentionRecords: number;
  /** How long a rebalance waits for a member's `onRevoked`, in milliseconds. */
  readonly rebalanceTimeoutMs: number;
  readonly #topics = new Map<string, Topic>();
  readonly #groups = new Map<string, GroupCoordinator>();
  #tasks: BrokerTask[] = [];
  #spareTasks: BrokerTask[] = [];
  #scheduled = false;
  #pendingTasks = 0;

  constructor(options: EmbeddedBrokerOptions = {}) {
    this.defaultPartitions = options.defaultPartitions ?? 4;
    this.autoCreateTopics = options.autoCreateTopics ?? true;
    this.retentionRecords = options.retentionRecords ?? Infinity;
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 10_000;
    checkOption('defaultPartitions', this.defaultPartitions, 1);
    if (this.retentionRecords !== Infinity) checkOption('retentionRecords', this.retentionRecords, 1);
    checkOption('rebalanceTimeoutMs', this.rebalanceTimeoutMs, 0);
  }

  /**
   * Creates `topic` with `partitions` partitions (default {@link defaultPartitions}) and returns
   * true, or returns false when it exists (its partition count is left as it is).
   * @throws CatenaeError `CATENAE_BROKER` for a name Kafka would refuse.
   */
  createTopic(topic: string, partitions: number = this.defaultPartitions, config: Readonly<Record<string, string>> = {}): boolean {
    if (this.#topics.has(topic)) return false;
    if (!LEGAL_TOPIC.test(topic) || topic === '.' || topic === '..') {
      throw new CatenaeError(ErrorCode.Broker, `topic "${topic}" is not 1-249 of [a-zA-Z0-9._-]`);
    }
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new CatenaeError(ErrorCode.Broker, `topic "${topic}" needs a positive partition count, got ${partitions}`);
    }
    const logs: PartitionLog[] = [];
    for (let p = 0; p < partitions; p++) logs.push(new PartitionLog(topic, p, this.retentionRecords));
    this.#topics.set(topic, { logs, config: { ...config }, sequence: 0 });
    for (const group of this.#groups.values()) if (group.subscribes(topic)) group.requestRebalance();
    return true;
  }

  /** The topic names, sorted. */
  topics(): string[] {
    return [...this.#topics.keys()].sort();
  }

  /** The settings `topic` was created with (the embedded broker does not compact or expire by them). */
  topicConfig(topic: string): Readonly<Record<string, string>> | undefined {
    return this.#topics.get(topic)?.config;
  }

  /** The partition count of `topic`, or undefined when it does not exist. */
  partitionCount(topic: string): number | undefined {
    return this.#topics.get(topic)?.logs.length;
  }

  /** The logs of `topic`, by partition number, or undefined when it does not exist. */
  logsOf(topic: string): readonly PartitionLog[] | undefined {
    return this.#topics.get(topic)?.logs;
  }

  /**
   * Appends the records synchronously, each to `record.partition` or else to
   * `partitionForKey(key)` (a string key as its UTF-8 bytes) or else, without a key, to a partition
   * drawn at random for that record, as the Kafka transport's producer does (librdkafka's
   * `murmur2_random` with sticky partitioning off): a burst reaches every partition. A record
   * without a timestamp gets `Date.now()`. A record that cannot be appended (missing
   * topic with auto-creation off, bad name, partition out of range) is skipped and the first such
   * error is thrown once the others are appended, as Kafka fails records one by one.
   * @throws CatenaeError `CATENAE_BROKER`
   */
  append(records: readonly OutgoingRecord[]): void {
    let failure: CatenaeError | undefined;
    let now = 0;
    let lastName: string | undefined;
    let topic: Topic | undefined;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (record.topic !== lastName) {
        lastName = record.topic;
        try {
          topic = this.#topicForProduce(record.topic);
        } catch (err) {
          failure ??= err as CatenaeError;
          topic = undefined;
        }
      }
      if (topic === undefined) continue;
      const logs = topic.logs;
      const key = typeof record.key === 'string' ? Buffer.from(record.key) : record.key;
      let partition = record.partition;
      if (partition === undefined) {
        partition = key !== null ? partitionForKey(key, logs.length) : Math.floor(Math.random() * logs.length);
      } else if (!(partition >= 0 && partition < logs.length && Number.isInteger(partition))) {
        failure ??= new CatenaeError(
          ErrorCode.Broker,
          `partition ${partition} of topic "${record.topic}" does not exist (it has ${logs.length})`,
        );
        continue;
      }
      let timestamp = record.timestamp;
      if (timestamp === undefined) timestamp = now === 0 ? (now = Date.now()) : now;
      logs[partition]!.append(key, record.value, record.headers, timestamp, topic.sequence++);
    }
    if (failure !== undefined) throw failure;
  }

  /**
   * Every record of `topic` still kept, in the order they were appended across its partitions.
   * Returns [] for a missing topic. The records are the broker's own: do not mutate them.
   */
  topicRecords(topic: string): RawRecord[] {
    const logs = this.#topics.get(topic)?.logs;
    if (logs === undefined) return [];
    const positions = logs.map((log) => log.startOffset);
    const out: RawRecord[] = [];
    // A k-way merge on the append sequence; k is the partition count, small.
    for (;;) {
      let best = -1;
      let bestSequence = Infinity;
      for (let p = 0; p < logs.length; p++) {
        if (positions[p]! >= logs[p]!.endOffset) continue;
        const sequence = logs[p]!.sequenceAt(positions[p]!);
        if (sequence < bestSequence) {
          bestSequence = sequence;
          best = p;
        }
      }
      if (best < 0) return out;
      out.push(logs[best]!.at(positions[best]!)!);
      positions[best]!++;
    }
  }

  /** The log end offset (next offset to be written) of each partition of `topic`; [] if missing. */
  endOffsets(topic: string): number[] {
    return this.#topics.get(topic)?.logs.map((log) => log.endOffset) ?? [];
  }

  /** The next-to-read offset `group` committed for the partition, or undefined when none. */
  committed(group: string, topic: string, partition: number): number | undefined {
    return this.#groups.get(group)?.committed(topic, partition);
  }

  /**
   * Records of `topic` that `group` has not committed yet, summed over partitions: end offset
   * minus committed offset, counting from the log start where the group committed nothing.
   */
  lag(group: string, topic: string): number {
    const coordinator = this.#groups.get(group);
    let lag = 0;
    for (const log of this.#topics.get(topic)?.logs ?? []) {
      const committed = coordinator?.committed(log.topic, log.partition) ?? log.startOffset;
      lag += Math.max(0, log.endOffset - Math.max(committed, log.startOffset));
    }
    return lag;
  }

  /**
   * Whether nothing is waiting on the broker: no acknowledgement or fetch reply scheduled, no
   * rebalance running, and every group member has fetched every record of the partitions it
   * owns (paused ones included). A `TestDriver` is drained when this holds and its links have
   * nothing in flight.
   */
  idle(): boolean {
    if (this.#pendingTasks > 0) return false;
    for (const group of this.#groups.values()) {
      if (group.isRebalancing) return false;
      for (const member of group.members) if (member.hasUnread()) return false;
    }
    return true;
  }

  /** The coordinator of `groupId`, created on first use. @internal */
  group(groupId: string): GroupCoordinator {
    let group = this.#groups.get(groupId);
    if (group === undefined) this.#groups.set(groupId, (group = new GroupCoordinator(groupId, this)));
    return group;
  }

  /**
   * Runs `task` on the broker's next turn (one `setImmediate` for all tasks queued meanwhile,
   * so replies are never synchronous and I/O is never starved). @internal
   */
  schedule(task: BrokerTask): void {
    this.#tasks.push(task);
    this.#pendingTasks++;
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#runTasks);
  }

  readonly #runTasks = (): void => {
    this.#scheduled = false;
    const tasks = this.#tasks;
    this.#tasks = this.#spareTasks;
    // A throwing user callback must not stop the others; the first is rethrown, uncaught, as it
    // would be from any other client callback.
    let failure: { error: unknown } | undefined;
    for (let i = 0; i < tasks.length; i++) {
      this.#pendingTasks--;
      try {
        tasks[i]!.runTask();
      } catch (error) {
        failure ??= { error };
      }
    }
    tasks.length = 0;
    this.#spareTasks = tasks;
    if (failure !== undefined) throw failure.error;
  };

  #topicForProduce(name: string): Topic {
    const topic = this.#topics.get(name);
    if (topic !== undefined) return topic;
    if (!this.autoCreateTopics) {
      throw new CatenaeError(ErrorCode.Broker, `topic "${name}" does not exist and auto-creation is off`);
    }
    this.createTopic(name);
    return this.#topics.get(name)!;
  }
}

function checkOption(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new CatenaeError(ErrorCode.BadFlag, `embedded broker option ${name} is ${value}, expected an integer >= ${min}`);
  }
}
