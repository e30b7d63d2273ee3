import type { Codec } from '../codec/codec.js';
import type { ExecutionMode, InputFormat, InputMode, OnError } from '../registry/link-definition.js';
import type { TransportFactory } from '../transport/transport.js';
import type { StateStoreFactory } from '../state/state-store.js';
import type { Clock } from './clock.js';

/** Log formats of `--log-format`. */
export type LogFormat = 'json' | 'pretty';
/** Log levels of `--log-level`, as winston's npm levels. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'silent';

/**
 * How to start one link. Every field overrides the same `@Link` option; the CLI fills these from
 * flags and `CATENAE_*` variables, so precedence is flag > environment > `@Link` > default.
 * @publicApi
 */
export interface StartOptions {
  /** Kafka bootstrap servers (`host:port[,host:port]`). Absent: the process's embedded broker. */
  kafka?: string;
  /** librdkafka settings passed through unchanged (`--kafka-config key=value`). */
  kafkaConfig?: Record<string, string>;
  /** A transport to use instead of Kafka or the embedded broker (tests, other brokers). */
  transport?: TransportFactory;
  inputs?: string[];
  output?: string;
  consumerGroup?: string;
  uidConsumerGroup?: boolean;
  mode?: ExecutionMode;
  concurrency?: number;
  inputMode?: InputMode;
  /** Window of the `exp` input mode, in seconds (the Python library's `--exp-window-size`). */
  expWindowSizeS?: number;
  /** Stop the link after this many milliseconds without input (the Python `--consumer-timeout`). */
  consumerTimeoutMs?: number;
  onError?: OnError;
  /** Retries of a failed handler before its electron is dead-lettered (default 3). */
  retries?: number;
  /** Backoff before the first retry, doubled for each next one, in milliseconds (default 100). */
  retryBackoffMs?: number;
  codec?: string | Codec;
  schemas?: Record<string, object>;
  inputFormat?: InputFormat;
  /**
   * Run the handlers in this many worker threads, each with its own instance of the link (default
   * concurrency then max(32, 4 × workers)). Needs `moduleUrl`.
   */
  workers?: number;
  /**
   * The module that exports the link, which each worker thread imports: `import.meta.url` in that
   * module, a URL or a path. `catenae run` passes the file it loaded.
   */
  moduleUrl?: string | URL;
  /** The instance id; default `$HOSTNAME` in a container, else 12 random hex digits. */
  uid?: string;
  /** Unparsed extra CLI arguments, handed to the link as `ctx.args`. */
  args?: string[];
  /** MongoDB address (`host:port` or a URI) for `ctx.mongodb`. */
  mongodb?: string;
  /** Aerospike address (`host:port`) for `ctx.aerospike`. */
  aerospike?: string;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  /** How long a stop may take to drain, flush and commit, in milliseconds (default 30000). */
  shutdownTimeoutMs?: number;
  /** Serve Prometheus metrics, `/health` and `/ready` on this port. */
  metricsPort?: number;
  /**
   * Keep the shards of the link's tables in a local persistent store in this directory (through
   * `@catenae/state-lmdb`), so a restart replays only the changelog's tail. Absent: in memory.
   */
  stateDir?: string;
  /** A persistent store to keep table shards in, instead of the one `stateDir` loads. */
  stateStore?: StateStoreFactory;
  /** The wall clock of loops, interval generators and windows' idle closes (tests move it: `TestDriver.advanceTime`). */
  clock?: Clock;
  /**
   * Announce the instance on `catenae.instances` (for `catenae dashboard`) every this many
   * milliseconds while it runs, and at start and stop; 0: never. Default 10000 on Kafka, 0 elsewhere.
   */
  announceIntervalMs?: number;
  /**
   * Refuse to start (`CATENAE_BAD_LINK`) a link that, once `setup` ran, has nothing to do: no input
   * topic, no generator or `ctx.loop`, no `@Rpc()` method. `catenae run` sets it, as nothing
   * outside the process could give such a link work; from code the handle can (`ctx.send`,
   * `ctx.addInput`), so it is off by default.
   */
  refuseIdle?: boolean;
}
