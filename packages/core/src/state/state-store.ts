import type { Logger } from 'winston';
import type { TableKey } from './keyed-table.js';

/** Names one shard of one table: its local store is `<state dir>/<group>/<table>/<partition>`. */
export interface ShardId {
  group: string;
  table: string;
  partition: number;
}

/** A change to write: a key and its encoded value, or undefined to remove it. */
export type StoredEntry = readonly [key: TableKey, value: Buffer | undefined];

/**
 * One shard's local persistent store (`--state-dir`): the values as encoded for the changelog,
 * and the changelog offset they reflect. Reads are synchronous; writes are atomic batches.
 * @publicApi
 */
export interface ShardStore {
  /**
   * Every changelog record below this offset is reflected in the store: a restart replays the
   * changelog from here. 0 for a new store.
   */
  readonly checkpoint: number;
  /** When the checkpoint was written, in milliseconds since the epoch (undefined for a new store). */
  readonly checkpointAt: number | undefined;
  get(key: TableKey): Buffer | undefined;
  /** Every stored entry, in key order. */
  entries(): Iterable<[TableKey, Buffer]>;
  /** How many entries the store holds. */
  count(): number;
  /** Writes the entries and the new checkpoint in one transaction. */
  write(entries: readonly StoredEntry[], checkpoint: number): Promise<void>;
  /** Removes every entry and resets the checkpoint to 0 (a rebuild from the changelog). */
  clear(): Promise<void>;
  /** Closes the store and releases its lock. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens shard stores in a state directory. `@catenae/state-lmdb` provides one on LMDB; core keeps
 * no native dependency.
 * @publicApi
 */
export interface StateStoreFactory {
  /** A short name for logs, e.g. `lmdb`. */
  readonly kind: string;
  /** The state directory. */
  readonly dir: string;
  /**
   * Opens (creating) one shard's store and locks it for this process. A missing or corrupt store
   * is recreated empty with one warning.
   * @throws CatenaeError `CATENAE_STATE` when the directory is not writable or another process
   *   holds the shard past `lockTimeoutMs`.
   */
  open(shard: ShardId, options: { logger: Logger; lockTimeoutMs: number }): Promise<ShardStore>;
}
