import type { TableKey } from './keyed-table.js';

/**
 * One partition's share of one table, and where it stands against its changelog partition:
 * records below `base` were read into it (restored), and `produced` records were written since,
 * of which `durable` are acknowledged (committed, in exactly-once). Since only the owner of a
 * partition writes its changelog partition, through an idempotent or transactional producer, the
 * i-th record produced since `base` lands at offset `base + i` or later.
 */
export abstract class Shard {
  readonly partition: number;
  base = 0;
  produced = 0;
  durable = 0;
  /** Keys changed by finished electrons (or outside handlers), not yet in the changelog. */
  readonly pending = new Set<TableKey>();

  constructor(partition: number) {
    this.partition = partition;
  }

  abstract get(key: TableKey): unknown;
  abstract has(key: TableKey): boolean;
  /** `value` undefined removes the key. */
  abstract put(key: TableKey, value: unknown): void;
  abstract entries(): IterableIterator<[TableKey, unknown]>;
  abstract readonly size: number;
  /** The changelog now holds `bytes` (null: a tombstone) for `key` as record `index`. */
  abstract emitted(key: TableKey, bytes: Buffer | null, index: number): void;
  /** Applies restored changelog records: encoded values, null for tombstones; `end` is the offset after them. */
  abstract restore(records: readonly (readonly [TableKey, Buffer | null])[], end: number): Promise<void> | void;
  /** Writes what is durable to the local store, if there is one. */
  abstract flush(): Promise<void>;
  /** Forgets every entry (a rebuild). */
  abstract clear(): Promise<void> | void;
  /** Releases the local store, if there is one. */
  abstract close(): Promise<void>;

  /** The changelog offset a catch-up must read from: everything below it is reflected here. */
  abstract readonly position: number;

  /** Continues from `end`: the restore (or catch-up) read the changelog up to there. */
  restored(end: number): void {
    this.base = end;
    this.produced = 0;
    this.durable = 0;
  }
}

/** A shard held in a `Map`: tables without a state directory (TestDriver, embedded runs). */
export class MemoryShard extends Shard {
  readonly #map = new Map<TableKey, unknown>();
  readonly #decode: (bytes: Buffer) => unknown;

  constructor(partition: number, decode: (bytes: Buffer) => unknown) {
    super(partition);
    this.#decode = decode;
  }

  get(key: TableKey): unknown {
    return this.#map.get(key);
  }

  has(key: TableKey): boolean {
    return this.#map.has(key);
  }

  put(key: TableKey, value: unknown): void {
    if (value === undefined) this.#map.delete(key);
    else this.#map.set(key, value);
  }

  entries(): IterableIterator<[TableKey, unknown]> {
    return this.#map.entries();
  }

  get size(): number {
    return this.#map.size;
  }

  /** Reflects everything acknowledged: unacknowledged changes are read again from the log by nobody. */
  get position(): number {
    return this.base + this.durable;
  }

  emitted(): void {}

  restore(records: readonly (readonly [TableKey, Buffer | null])[]): void {
    for (const [key, bytes] of records) this.put(key, bytes === null ? undefined : this.#decode(bytes));
  }

  async flush(): Promise<void> {}

  clear(): void {
    this.#map.clear();
  }

  async close(): Promise<void> {}
}
