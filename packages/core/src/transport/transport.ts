import type { OutgoingRecord, PartitionOffset, PartitionWatermarks, RawRecord, TopicPartition, TopicSpec } from './records.js';

/** Told by a transport when the group hands partitions to this member or takes them away. */
export interface RebalanceListener {
  /** Partitions now assigned to this member. */
  onAssigned(partitions: TopicPartition[]): void;
  /**
   * Partitions about to go to another member. The transport lets the returned promise settle
   * (bounded by its own timeout) before giving them up, so the runtime can commit what it finished.
   */
  onRevoked(partitions: TopicPartition[]): Promise<void> | void;
}

/**
 * Reads partitions by offset, outside any consumer group: how a link restores its tables from
 * their changelogs. Reads committed records only.
 */
export interface PartitionReader {
  /** The watermarks of each partition, in the order given. */
  watermarks(partitions: readonly TopicPartition[]): Promise<PartitionWatermarks[]>;
  /**
   * Reads each partition from its offset up to its end as of the call (for transactional topics,
   * the last stable offset), handing records to `onBatch` in batches and awaiting it; resolves with
   * the offset reached in each partition. An offset below the log start reads from the log start.
   */
  readToEnd(starts: readonly PartitionOffset[], onBatch: (records: RawRecord[]) => Promise<void> | void): Promise<PartitionOffset[]>;
  /** Closes the reader's clients. Idempotent. */
  close(): Promise<void>;
}

/** How a link instance's clients are configured. */
export interface TransportOptions {
  /** Names this client in broker logs: `<link>-<uid>`. */
  clientId: string;
  /** The consumer group; absent when the link consumes nothing. */
  groupId?: string;
  /** acks=all and an idempotent producer (the `synchronous` and `exactly-once` modes). */
  idempotent?: boolean;
  /** Favour latency over throughput: small batches, short waits. */
  lowLatency?: boolean;
  /** Raw client settings passed through unchanged (librdkafka names for Kafka). */
  config?: Record<string, string>;
  /** Produce in transactions (the `exactly-once` mode): the transport then offers `transactions`. */
  transactional?: boolean;
  /**
   * Members of the group get the same partition numbers of every input topic (Kafka's range
   * assignment), as a link with tables needs: its shard p covers partition p of each input.
   */
  copartitioned?: boolean;
}

/** See `TransportTransactions.commit`. */
export const TRANSACTION_MEMBERSHIP_LOST = 'membership lost';

/**
 * Kafka transactions, for consume-transform-produce exactly once: the records produced between
 * `begin` and `commit` and the consumer offsets given to `commit` become visible atomically,
 * or not at all.
 */
export interface TransportTransactions {
  /**
   * How long the runtime keeps a transaction open to take in more fetches, in milliseconds, when
   * each costs the broker (Kafka: 100, as Kafka Streams commits under exactly-once). Default 0: a
   * transaction per fetch.
   */
  readonly spanMs?: number;
  /** Registers the transactional producer (fencing older instances of it). Once, after connect. */
  init(timeoutMs: number): Promise<void>;
  begin(): void;
  /**
   * Adds these next-to-read offsets of the consumer group to the transaction and commits it.
   * Rejects with a `CATENAE_BROKER` error; its `details.transaction` is
   * {@link TRANSACTION_MEMBERSHIP_LOST} when the group no longer counts this member (its session
   * expired, or a rebalance moved on without it), whose partitions are then going back to the group.
   */
  commit(offsets: readonly PartitionOffset[], timeoutMs: number): Promise<void>;
  /** Drops what the transaction produced; its input will be read again. */
  abort(timeoutMs: number): Promise<void>;
}

/**
 * The boundary between the runtime and a broker. The runtime pulls batches (bounded memory) and
 * produces batches; promises are made only per batch or per lifecycle step.
 * `@catenae/kafka` and the embedded broker implement it and pass the same contract tests.
 */
export interface Transport {
  /** Connects the clients; rejects with a `CATENAE_BROKER` error after a bounded wait. */
  connect(): Promise<void>;
  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** The partition count of `topic`, or undefined when it does not exist (never creates it). */
  partitionCount(topic: string): Promise<number | undefined>;
  /** A reader of partitions by offset (for restoring tables); close it after use. */
  createReader(): PartitionReader;
  /** Joins the group on these topics (replacing any earlier subscription). */
  subscribe(topics: readonly string[], listener: RebalanceListener): void;
  /**
   * Calls `done` once with up to `max` records, waiting up to `waitMs` for the first one
   * (an empty array when none came). Records of one partition come in offset order.
   */
  fetch(max: number, waitMs: number, done: (err: Error | null, records: RawRecord[]) => void): void;
  /** Stops fetching from these partitions until resumed; the group assignment is kept. */
  pause(partitions: readonly TopicPartition[]): void;
  /** Fetches from these partitions again. */
  resume(partitions: readonly TopicPartition[]): void;
  /**
   * Moves the fetch position of these owned partitions forward to the given offsets where it is
   * behind them (a table's restore knows its input below them is already applied); records below
   * are not delivered. Partitions this member does not own, or is past, are left alone.
   */
  skipTo(offsets: readonly PartitionOffset[]): Promise<void>;
  /**
   * Queues the records for the broker. `onAcked` runs once, after the broker acknowledged every
   * one of them, or with the first error; records are acknowledged in the order of the calls per
   * partition.
   */
  produce(records: OutgoingRecord[], onAcked: (err: Error | null) => void): void;
  /** Commits these next-to-read offsets for the group. */
  commit(offsets: readonly PartitionOffset[]): Promise<void>;
  /** Waits until every produced record is acknowledged or failed. */
  flush(timeoutMs: number): Promise<void>;
  /** Leaves the group and closes the clients. Idempotent. */
  close(): Promise<void>;
  /** Present when created with `transactional: true`. */
  readonly transactions?: TransportTransactions;
}

/** Creates the transport of one link instance. */
export interface TransportFactory {
  /** A short name for logs: `kafka`, `embedded`. */
  readonly kind: string;
  /** Where its clients connect (Kafka's bootstrap servers), for logs; absent in process. */
  readonly address?: string;
  create(options: TransportOptions): Transport;
}
