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

/** A duration: milliseconds, or a string such as `'500ms'`, `'30s'`, `'5m'`, `'1h'`, `'1d'`. */
export type Duration = number | string;

/** How a windowed table cuts event time into windows. */
export interface WindowOptions {
  /** Length of a tumbling or hopping window. */
  size?: Duration;
  /** Hopping windows: a new window starts every `advance` (default: `size`, tumbling). */
  advance?: Duration;
  /** Session windows: a key's window stays open while its electrons come less than `gap` apart. */
  gap?: Duration;
  /** Session windows: the value of two sessions an electron joins into one. */
  merge?: (a: any, b: any) => any;
  /** How long after its end a window still accepts late electrons (default 0). */
  grace?: Duration;
  /**
   * How long after its end a window is kept, for reads (`get(key, time)`, `range`), at least
   * `grace` (default: `grace` plus one window length, or plus the gap for sessions).
   */
  retention?: Duration;
  /** The event time of an electron in milliseconds (default: its timestamp). */
  time?: (electron: import('../electron.js').Electron<any, any>) => number;
  /**
   * An electron too late for every window it falls in (older than their end plus `grace`) is
   * counted and logged at debug; `'topic'` also sends it to `<input topic>.late` (default `'drop'`).
   */
  late?: 'drop' | 'topic';
  /**
   * When a partition gets no electron for this long (wall-clock), its stream time moves on with
   * the clock, so its windows close (default: never; event time alone closes windows).
   */
  idleClose?: Duration;
}

/** Options of `@Table(...)` (and of `defineLink({ tables })`). */
export interface TableOptions {
  /** The table's name, in its changelog topic and in `ctx.tables` (default: the property name). */
  name?: string;
  /** Codec of the values (default: the link's codec). */
  codec?: string | Codec;
  /** Avro schema of the values, when the codec is `avro`. */
  schema?: object;
  /** Makes the table a `WindowedTable` over these windows. */
  window?: WindowOptions;
}

/** A table as the runtime sees it. */
export interface TableSpec {
  /** Its name: in `<consumer group>.<name>.changelog` and `ctx.tables`. */
  name: string;
  /** The class property the runtime fills with it (undefined for `defineLink` tables). */
  property: string | undefined;
  options: TableOptions;
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
  /** Keyed and windowed tables, sharded like the input. */
  tables: TableSpec[];
  /** `@WindowClosed(table)` methods: called once per closed window of that windowed table. */
  windowClosed: { table: string; method: string }[];
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
