import type { Codec } from '../codec/codec.js';

/** Execution modes: how many electrons are in flight and when their input is committed. */
export type ExecutionMode = 'async' | 'sequential' | 'synchronous' | 'exactly-once';
/** How a link shares its attention between several input topics. */
export type InputMode = 'parity' | 'priority' | 'exp';
/** What happens when a handler throws or an input cannot be decoded. */
export type OnError = 'dlq' | 'skip' | 'exit';
/** How a message without a codec header is decoded. */
export type InputFormat = 'string' | 'json' | 'bytes';

/** Options of `@Link(...)`; each one can be overridden by a CLI flag or a `CATENAE_*` variable. */
export interface LinkOptions {
  /** The link's name (default: the class name); the default consumer group is `catenae_<name lowercased>`. */
  name?: string;
  /** Default input topics, read by handlers that name no topic. */
  inputs?: string[];
  /** Default output topic. */
  output?: string;
  consumerGroup?: string;
  /** Each instance reads the whole stream with a group of its own. */
  uidConsumerGroup?: boolean;
  mode?: ExecutionMode;
  /** Electrons in flight at once in `async` mode (per-key order is kept). */
  concurrency?: number;
  inputMode?: InputMode;
  /** Codec for outputs: `transparent` (default), `json`, `avro`, or a codec object. */
  codec?: string | Codec;
  /** Avro schemas per topic (used by the `avro` codec). */
  schemas?: Record<string, object>;
  onError?: OnError;
  /** Run the handlers in this many worker threads. */
  workers?: number;
  inputFormat?: InputFormat;
}

/** An input handler as the runtime sees it. */
export interface TransformSpec {
  /** The method's name on the link class (or `transform` for `defineLink`). */
  method: string;
  /** The topic it reads; undefined: the link's default inputs. */
  topic: string | undefined;
  /** Higher is more important in the `priority` and `exp` input modes. */
  priority: number;
}

/** Options of `@Generator(...)`. */
export interface GeneratorOptions {
  /** Call the method again every `interval` milliseconds instead of once. */
  interval?: number;
}

/** A source method as the runtime sees it. */
export interface GeneratorSpec extends GeneratorOptions {
  method: string;
}

/** The registry entry of one link: what `exploreLink` reads off a class, or `defineLink` builds. */
export interface LinkDefinition {
  name: string;
  /** Creates a fresh instance of the link (one per running instance or worker). */
  create(): object;
  options: LinkOptions;
  transforms: TransformSpec[];
  generators: GeneratorSpec[];
  /** Names of the methods callable by RPC. */
  rpcMethods: string[];
  /** Where the definition came from, for error messages. */
  source: string;
}

const LINK_DEFINITION = Symbol.for('catenae.linkDefinition');

/** Brands a definition so {@link isLinkDefinition} recognises it (across copies of the package too). */
export function brandDefinition(definition: LinkDefinition): LinkDefinition {
  Object.defineProperty(definition, LINK_DEFINITION, { value: true });
  return definition;
}

/** Whether `value` is a {@link LinkDefinition} (a `defineLink` result or an explored class). */
export function isLinkDefinition(value: unknown): value is LinkDefinition {
  return typeof value === 'object' && value !== null && LINK_DEFINITION in value;
}
