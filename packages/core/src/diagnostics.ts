// The runtime's instrumentation: named `node:diagnostics_channel` channels. Publishers check
// `hasSubscribers` before building a message, so idle instrumentation costs a branch; messages
// are per batch (or per rare event: a failure, a rebalance, an RPC), never per electron.
import { channel } from 'node:diagnostics_channel';
import type { OutgoingRecord, RawRecord, TopicPartition } from './transport/records.js';

/**
 * The names of Catenae's diagnostics channels. Subscribe with `node:diagnostics_channel` to feed
 * your own telemetry; `--metrics-port` feeds Prometheus from them.
 * @publicApi
 */
export const DiagnosticsChannel = {
  /** {@link ConsumedMessage}: a batch a link fetched from its inputs. */
  consumed: 'catenae:link:consumed',
  /** {@link ProducedMessage}: a group of outputs the broker acknowledged (or failed). */
  produced: 'catenae:link:produced',
  /** {@link HandledMessage}: handler durations, gathered a batch at a time. */
  handled: 'catenae:link:handled',
  /** {@link FailedMessage}: a handler failed (or an input could not be decoded). */
  failed: 'catenae:link:failed',
  /** {@link RebalanceMessage}: partitions assigned to or revoked from a link instance. */
  rebalance: 'catenae:link:rebalance',
  /** {@link LinkStateMessage}: a link instance's lifecycle. */
  state: 'catenae:link:state',
  /** {@link RpcCallMessage}: an RPC served or called. */
  rpc: 'catenae:rpc:call',
  /** {@link RestoreMessage}: a link instance restoring its tables' shards from their changelogs. */
  restore: 'catenae:link:restore',
  /** {@link TableSizesMessage}: how many entries an instance's tables hold, every few seconds. */
  tableSizes: 'catenae:link:table-sizes',
  /** {@link LateMessage}: an electron that fell only in closed windows of windowed tables. */
  late: 'catenae:link:late',
  /** Published by `@catenae/kafka`: recoverable client errors ({@link TransportErrorMessage}). */
  kafkaClientError: 'catenae:kafka:client-error',
  /** Published by `@catenae/kafka`: librdkafka's own log lines ({@link TransportLogMessage}). */
  kafkaLog: 'catenae:kafka:log',
  /** Published by `@catenae/kafka` from librdkafka statistics: {@link ConsumerLagMessage}. */
  kafkaConsumerLag: 'catenae:kafka:consumer-lag',
} as const;

/** A fetched batch. `records` is the runtime's own array: read it during the call, never keep it. */
export interface ConsumedMessage {
  link: string;
  records: readonly RawRecord[];
}

/** A group of outputs acknowledged by the broker (`error` null) or failed. Read during the call only. */
export interface ProducedMessage {
  link: string;
  records: readonly OutgoingRecord[];
  error: Error | null;
}

/**
 * Handler durations, gathered while someone subscribes and published once per batch: `counts[i]`
 * electrons took `durationsMs[i]` milliseconds each (electrons a batch handled synchronously are
 * timed together and share their mean; an asynchronous handler's electron is timed alone). The
 * arrays are reused: read them during the call only.
 */
export interface HandledMessage {
  link: string;
  durationsMs: Float64Array;
  counts: Uint32Array;
}

/** A failed electron: `action` is what `--on-error` made of it. */
export interface FailedMessage {
  link: string;
  /** The input topic of the electron. */
  topic: string;
  action: 'retry' | 'dead-letter' | 'skip' | 'stop';
  error: unknown;
}

/** Partitions assigned to (the full assignment, for the eager protocol) or revoked from an instance. */
export interface RebalanceMessage {
  link: string;
  uid: string;
  kind: 'assigned' | 'revoked';
  partitions: readonly TopicPartition[];
}

/**
 * A link instance's lifecycle: `running` once connected, topics created, `setup` done and
 * subscribed; `stopping` from a stop's first step; `stopped` once closed.
 */
export interface LinkStateMessage {
  link: string;
  uid: string;
  state: 'running' | 'stopping' | 'stopped';
  /** Whether the instance reads inputs (and so is only ready once it has an assignment). */
  hasInputs: boolean;
  /** The transport's client id (`<link>-<uid>`): what transport messages name. */
  clientId: string;
}

/** An RPC as the serving or the calling side saw it. */
export interface RpcCallMessage {
  link: string;
  method: string;
  role: 'served' | 'called';
  outcome: 'ok' | 'error' | 'timeout';
  durationMs: number;
}

/**
 * A restore of table shards: `started` (as the shards are opened), `progress` (once the records
 * to read are known, then every few seconds), `done` (restored, or given up on a revoke).
 * `records` counts the changelog records read so far, of about `total`.
 */
export interface RestoreMessage {
  link: string;
  uid: string;
  phase: 'started' | 'progress' | 'done';
  /** The input partitions whose shards are restored. */
  partitions: readonly number[];
  records: number;
  total: number;
}

/** An electron too late for windowed tables: every window it falls in had closed. */
export interface LateMessage {
  link: string;
  /** Its input topic. */
  topic: string;
  tables: readonly string[];
}

/** Entries per table held by one instance. */
export interface TableSizesMessage {
  link: string;
  uid: string;
  sizes: Record<string, number>;
}

/** A recoverable client error of a transport (`@catenae/kafka` publishes these). */
export interface TransportErrorMessage {
  clientId: string;
  client: string;
  error: Error;
}

/** One of librdkafka's log lines; `severity` is syslog's (0 emergency ... 7 debug). */
export interface TransportLogMessage {
  clientId: string;
  client: string;
  severity: number;
  facility: string;
  message: string;
}

/** Consumer lag per partition of one consumer: the high watermark minus the committed offset. */
export interface ConsumerLagMessage {
  clientId: string;
  partitions: { topic: string; partition: number; lag: number }[];
}

// The publishers' handles (not re-exported); subscribers use `subscribe(name, fn)`, which keeps
// the channel alive.
export const consumedChannel = channel(DiagnosticsChannel.consumed);
export const producedChannel = channel(DiagnosticsChannel.produced);
export const handledChannel = channel(DiagnosticsChannel.handled);
export const failedChannel = channel(DiagnosticsChannel.failed);
export const rebalanceChannel = channel(DiagnosticsChannel.rebalance);
export const stateChannel = channel(DiagnosticsChannel.state);
export const rpcChannel = channel(DiagnosticsChannel.rpc);
export const restoreChannel = channel(DiagnosticsChannel.restore);
export const tableSizesChannel = channel(DiagnosticsChannel.tableSizes);
export const lateChannel = channel(DiagnosticsChannel.late);
