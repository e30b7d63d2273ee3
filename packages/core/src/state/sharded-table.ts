import { CatenaeError, ErrorCode } from '../errors.js';
import type { TableSpec } from '../registry/link-definition.js';
import type { OutgoingRecord } from '../transport/records.js';
import type { KeyedTable, TableKey } from './keyed-table.js';
import type { Shard } from './shard.js';
import type { MessageHeader } from '../transport/records.js';
import { checkTableKey, encodeTableKey, isReservedKey, reservedEntriesOf } from './table-key.js';
import type { WriteOwner } from './write-scopes.js';

/** How a table's values become changelog bytes: a {@link TableCodec}, or a windowed table's entry codec. */
export interface ValueCodec {
  readonly topic: string;
  readonly headers: MessageHeader[];
  encode(value: unknown): Buffer;
  decode(bytes: Buffer): unknown;
  /** @throws CatenaeError `CATENAE_ENCODE` when `value` cannot be encoded. */
  validate(value: unknown): void;
}

/** What a table needs of the link's tables: where a write goes and what follows it. */
export interface TableHost {
  /** The partition of the electron being handled, or -1 outside a handler. */
  currentPartition(): number;
  /** The partition a keyed electron with this key would take. */
  partitionOfKey(key: TableKey): number;
  /** Records a write (undone if the handler throws); outside a handler it is published at once. */
  wrote(table: ShardedTable, shard: Shard, key: TableKey, before: unknown): void;
  /** Why this instance holds no shard `partition` now, for the error message. */
  describeMissing(partition: number): string;
}

/**
 * A {@link KeyedTable}: one {@link Shard} per input partition this instance owns. A handler's
 * reads and writes go to the shard of its electron's partition; outside handlers, to the shard
 * of the key's partition.
 */
export class ShardedTable implements KeyedTable<TableKey, unknown>, WriteOwner {
  readonly name: string;
  readonly spec: TableSpec;
  readonly codec: ValueCodec;
  /** By partition number; undefined where this instance holds no shard. */
  readonly shards: (Shard | undefined)[] = [];
  readonly #host: TableHost;
  /** Told when a failed handler's write is undone (a windowed table re-indexes the window). */
  onUndone: ((shard: Shard, key: TableKey, before: unknown) => void) | undefined = undefined;

  constructor(spec: TableSpec, codec: ValueCodec, host: TableHost) {
    this.name = spec.name;
    this.spec = spec;
    this.codec = codec;
    this.#host = host;
  }

  get(key: TableKey): unknown {
    return this.shardFor(key).get(key);
  }

  has(key: TableKey): boolean {
    return this.shardFor(key).has(key);
  }

  set(key: TableKey, value: unknown): this {
    checkTableKey(this.name, key);
    if (value === undefined || value === null) {
      throw new CatenaeError(ErrorCode.Encode, `table ${this.name}: cannot store ${String(value)} for key "${key}"; use delete()`);
    }
    this.write(this.shardFor(key), key, value);
    return this;
  }

  delete(key: TableKey): boolean {
    checkTableKey(this.name, key);
    const shard = this.shardFor(key);
    if (shard.get(key) === undefined) return false;
    this.write(shard, key, undefined);
    return true;
  }

  /** Writes `value` (undefined: removes) under `key` in `shard`, as part of the electron being handled. */
  write(shard: Shard, key: TableKey, value: unknown): void {
    const before = shard.get(key);
    shard.put(key, value);
    this.#host.wrote(this, shard, key, before);
  }

  *entries(): IterableIterator<[TableKey, unknown]> {
    for (const shard of this.shards) {
      if (shard === undefined) continue;
      for (const entry of shard.entries()) if (!isReservedKey(entry[0])) yield entry;
    }
  }

  *keys(): IterableIterator<TableKey> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<unknown> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[TableKey, unknown]> {
    return this.entries();
  }

  get size(): number {
    let size = 0;
    for (const shard of this.shards) if (shard !== undefined) size += shard.size - reservedEntriesOf(shard);
    return size;
  }

  undone(shard: Shard, key: TableKey, before: unknown): void {
    this.onUndone?.(shard, key, before);
  }

  validate(value: unknown): void {
    this.codec.validate(value);
  }

  /** The changelog record of `key`'s value now (a tombstone when it has none). */
  changeRecord(shard: Shard, key: TableKey): OutgoingRecord {
    const value = shard.get(key);
    return {
      topic: this.codec.topic,
      partition: shard.partition,
      key: encodeTableKey(key),
      value: value === undefined ? null : this.codec.encode(value),
      headers: this.codec.headers,
      timestamp: undefined,
    };
  }

  /**
   * The shard a key's reads and writes go to: the one of the electron being handled, else the
   * one of the key's partition. @throws CatenaeError `CATENAE_STATE` when this instance lacks it.
   */
  shardFor(key: TableKey): Shard {
    const host = this.#host;
    const current = host.currentPartition();
    const partition = current >= 0 ? current : host.partitionOfKey(key);
    const shard = this.shards[partition];
    if (shard !== undefined) return shard;
    throw new CatenaeError(ErrorCode.State, `table ${this.name}: key "${String(key)}" belongs to shard ${partition}, ${host.describeMissing(partition)}`);
  }
}
