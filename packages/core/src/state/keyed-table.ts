/** What a table can be keyed by: text, or a number. */
export type TableKey = string | number;

/**
 * A keyed table of a link, sharded like its input: the instance that owns input partition p holds
 * shard p, and what a handler writes while handling an electron of partition p belongs to shard p.
 * Every access is synchronous. A change counts as an output of the electron that made it: it
 * reaches the table's changelog before that electron's offset is committed, and a handler that
 * throws leaves the table as it found it.
 *
 * Outside a handler (an `@Rpc()` method, a `ctx.loop`), a key is looked up in the shard its
 * partition would be: the partition a keyed electron with that key would take (murmur2).
 * @publicApi
 */
export interface KeyedTable<K extends TableKey = string, V = unknown> extends Iterable<[K, V]> {
  /** The table's name, as in its changelog topic `<consumer group>.<name>.changelog`. */
  readonly name: string;
  /** The value of `key`, or undefined. */
  get(key: K): V | undefined;
  /** Whether `key` has a value. */
  has(key: K): boolean;
  /**
   * Sets the value of `key`. `null` and `undefined` cannot be stored (use `delete`).
   * @throws CatenaeError `CATENAE_ENCODE` for a key that is not a string or a finite number, or a
   *   value the table's codec cannot encode (in a handler: when the handler returns).
   */
  set(key: K, value: V): this;
  /** Removes `key`; returns whether it had a value. */
  delete(key: K): boolean;
  /** Entries over every shard this instance holds now. */
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  /** Entries this instance holds now, over all its shards. */
  readonly size: number;
}
