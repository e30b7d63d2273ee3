/** Header values as they travel on the wire: text or raw bytes. */
export type Headers = Record<string, string | Buffer>;

/** The fields an {@link Electron} can be built from; every one is optional but `value`. */
export interface ElectronInit<V, K> {
  key?: K | null;
  value: V;
  topic?: string;
  previousTopic?: string;
  timestamp?: number;
  headers?: Headers;
  partition?: number;
  offset?: number;
}

/**
 * The unit that flows along streams: a key, a value, and where it goes or came from.
 *
 * - `key` is the partition key: one key always reaches the same instance of a link, in order.
 * - `topic` is the destination when emitted (undefined: the link's default output).
 * - `previousTopic`, `partition` and `offset` say where a received electron came from.
 * - `timestamp` is milliseconds since the epoch.
 * @publicApi
 */
export class Electron<V = unknown, K = string> {
  key: K | null;
  value: V;
  topic: string | undefined;
  previousTopic: string | undefined;
  timestamp: number | undefined;
  headers: Headers | undefined;
  partition: number | undefined;
  offset: number | undefined;

  constructor(init: ElectronInit<V, K>) {
    // Every field in one order, always: electrons are created on the hot path.
    this.key = init.key ?? null;
    this.value = init.value;
    this.topic = init.topic;
    this.previousTopic = init.previousTopic;
    this.timestamp = init.timestamp;
    this.headers = init.headers;
    this.partition = init.partition;
    this.offset = init.offset;
  }
}

/** Whether `value` is an {@link Electron} (works across copies of the package too). */
export function isElectron(value: unknown): value is Electron<unknown, unknown> {
  return value instanceof Electron;
}
