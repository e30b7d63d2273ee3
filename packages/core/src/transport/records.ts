/** One header of a message, as node-rdkafka spells it: a single-key object. */
export type MessageHeader = Record<string, Buffer | string>;

/** A partition of a topic. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A position to commit: `offset` is the next offset to read, as in Kafka. */
export interface PartitionOffset extends TopicPartition {
  offset: number;
}

/** A message as a transport hands it to the runtime: bytes, not yet decoded. */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: MessageHeader[] | undefined;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/** A message the runtime hands to a transport to produce. */
export interface OutgoingRecord {
  topic: string;
  /** Undefined: the transport picks it, murmur2 of the key (as Java clients), or spreads keyless ones. */
  partition: number | undefined;
  /** A string key is sent as its UTF-8 bytes. */
  key: Buffer | string | null;
  value: Buffer | null;
  headers: MessageHeader[] | undefined;
  timestamp: number | undefined;
}

/** A topic to create, with its partition count (undefined: the broker's default). */
export interface TopicSpec {
  topic: string;
  partitions?: number;
  /** Topic settings, as Kafka names them (`cleanup.policy`, `retention.ms`, ...). */
  config?: Record<string, string>;
}

/** The first offset still kept and the next offset to be written, of one partition. */
export interface PartitionWatermarks extends TopicPartition {
  low: number;
  high: number;
}
