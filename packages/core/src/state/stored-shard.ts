import type { TableKey } from './keyed-table.js';
import { Shard } from './shard.js';
import type { ShardStore, StoredEntry } from './state-store.js';

/** A change not yet in the local store. */
interface Dirty {
  /** The live value; undefined when deleted. */
  value: unknown;
  /** Bumped by every write, to tell whether the last emission still encodes `value`. */
  version: number;
  emittedVersion: number;
  /**
   * Changelog records of this key not in the store yet, oldest first: [record index, encoding
   * (null: a tombstone)]. A hot key keeps a few: the store gets the newest durable one.
   */
  emissions: [number, Buffer | null][];
}

/** Clean values kept decoded per shard, so hot keys are not decoded on every read. */
const DEFAULT_CACHE_ENTRIES = 20_000;

/**
 * A shard in a local persistent store (`--state-dir`) with an overlay of the changes the store
 * does not hold yet. A change is written to the store only once its changelog record is durable,
 * so the store never holds a value the changelog lacks, and the store's checkpoint is the lowest
 * changelog offset not reflected in it: a restart replays the changelog from there.
 */
export class StoredShard extends Shard {
  readonly #store: ShardStore;
  readonly #decode: (bytes: Buffer) => unknown;
  readonly #dirty = new Map<TableKey, Dirty>();
  readonly #cache = new Map<TableKey, unknown>();
  readonly #cacheEntries: number;
  #flushing: Promise<void> | undefined;
  #checkpoint: number;

  constructor(partition: number, store: ShardStore, decode: (bytes: Buffer) => unknown, cacheEntries = DEFAULT_CACHE_ENTRIES) {
    super(partition);
    this.#store = store;
    this.#decode = decode;
    this.#cacheEntries = cacheEntries;
    this.#checkpoint = store.checkpoint;
  }

  /** Where a restore of this store starts. */
  get checkpoint(): number {
    return this.#checkpoint;
  }

  get checkpointAt(): number | undefined {
    return this.#store.checkpointAt;
  }

  get(key: TableKey): unknown {
    const dirty = this.#dirty.get(key);
    if (dirty !== undefined) return dirty.value;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const bytes = this.#store.get(key);
    if (bytes === undefined) return undefined;
    const value = this.#decode(bytes);
    this.#remember(key, value);
    return value;
  }

  has(key: TableKey): boolean {
    return this.get(key) !== undefined;
  }

  put(key: TableKey, value: unknown): void {
    const dirty = this.#dirty.get(key);
    if (dirty !== undefined) {
      dirty.value = value;
      dirty.version++;
      return;
    }
    this.#cache.delete(key);
    this.#dirty.set(key, { value, version: 1, emittedVersion: 0, emissions: [] });
  }

  *entries(): IterableIterator<[TableKey, unknown]> {
    for (const [key, dirty] of this.#dirty) if (dirty.value !== undefined) yield [key, dirty.value];
    for (const [key, bytes] of this.#store.entries()) {
      if (this.#dirty.has(key)) continue;
      yield [key, this.#cache.get(key) ?? this.#decode(bytes)];
    }
  }

  get size(): number {
    let size = this.#store.count();
    for (const [key, dirty] of this.#dirty) {
      const isStored = this.#store.get(key) !== undefined;
      if (dirty.value === undefined && isStored) size--;
      else if (dirty.value !== undefined && !isStored) size++;
    }
    return size;
  }

  /** Reflects what the store holds; the overlay's durable changes are replayed after it. */
  get position(): number {
    return this.#checkpoint;
  }

  emitted(key: TableKey, bytes: Buffer | null, index: number): void {
    const dirty = this.#dirty.get(key)!;
    dirty.emissions.push([index, bytes]);
    dirty.emittedVersion = dirty.version;
  }

  async restore(records: readonly (readonly [TableKey, Buffer | null])[], end: number): Promise<void> {
    const entries: StoredEntry[] = records.map(([key, bytes]) => [key, bytes ?? undefined]);
    await this.#store.write(entries, end);
    this.#checkpoint = end;
    for (const [key] of records) this.#cache.delete(key);
  }

  /** Writes the changes whose changelog records are durable, with the new checkpoint, in one transaction. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    const durable = this.durable;
    const written: [TableKey, Dirty, number][] = [];
    const entries: StoredEntry[] = [];
    // The first changelog record the store will not reflect after this write.
    let firstUnwritten = durable;
    for (const [key, dirty] of this.#dirty) {
      const emissions = dirty.emissions;
      let newest = emissions.length - 1;
      while (newest >= 0 && emissions[newest]![0] >= durable) newest--;
      if (newest >= 0) {
        const [index, bytes] = emissions[newest]!;
        entries.push([key, bytes ?? undefined]);
        written.push([key, dirty, index]);
      }
      const next = emissions[newest + 1];
      if (next !== undefined && next[0] < firstUnwritten) firstUnwritten = next[0];
    }
    const checkpoint = this.base + firstUnwritten;
    if (entries.length === 0 && checkpoint === this.#checkpoint) return;
    await this.#store.write(entries, checkpoint);
    this.#checkpoint = checkpoint;
    for (const [key, dirty, index] of written) {
      const emissions = dirty.emissions;
      while (emissions.length > 0 && emissions[0]![0] <= index) emissions.shift();
      if (emissions.length === 0 && dirty.version === dirty.emittedVersion && !this.pending.has(key) && this.#dirty.get(key) === dirty) {
        this.#dirty.delete(key);
        if (dirty.value !== undefined) this.#remember(key, dirty.value);
      }
    }
  }

  async clear(): Promise<void> {
    this.#dirty.clear();
    this.#cache.clear();
    await this.#store.clear();
    this.#checkpoint = 0;
  }

  async close(): Promise<void> {
    await this.#flushing;
    await this.#store.close();
  }

  #remember(key: TableKey, value: unknown): void {
    const cache = this.#cache;
    cache.set(key, value);
    if (cache.size <= this.#cacheEntries) return;
    // Oldest first; a tenth at a time, so eviction is not paid on every read.
    let excess = cache.size - Math.floor(this.#cacheEntries * 0.9);
    for (const oldest of cache.keys()) {
      cache.delete(oldest);
      if (--excess <= 0) break;
    }
  }
}
