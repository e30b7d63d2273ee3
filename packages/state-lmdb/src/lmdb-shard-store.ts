import type { ShardStore, StoredEntry, TableKey } from '@catenae/core';
import type { Database, RootDatabase } from 'lmdb';
import type { ShardLock } from './shard-lock.js';

const CHECKPOINT = 'checkpoint';
const CHECKPOINT_AT = 'checkpointAt';

/**
 * One shard in its own LMDB environment: a `data` database of encoded values by key (reads are
 * synchronous, from the memory map) and a `meta` database with the changelog checkpoint, written
 * in the same transaction as the values it covers.
 */
export class LmdbShardStore implements ShardStore {
  readonly #env: RootDatabase;
  readonly #data: Database<Buffer, TableKey>;
  readonly #meta: Database<number, string>;
  readonly #lock: ShardLock;
  #checkpoint: number;
  #checkpointAt: number | undefined;
  #closing: Promise<void> | undefined;

  constructor(env: RootDatabase, lock: ShardLock) {
    this.#env = env;
    this.#lock = lock;
    this.#data = env.openDB<Buffer, TableKey>({ name: 'data', encoding: 'binary' });
    this.#meta = env.openDB<number, string>({ name: 'meta', encoding: 'msgpack' });
    this.#checkpoint = this.#meta.get(CHECKPOINT) ?? 0;
    this.#checkpointAt = this.#meta.get(CHECKPOINT_AT);
  }

  get checkpoint(): number {
    return this.#checkpoint;
  }

  get checkpointAt(): number | undefined {
    return this.#checkpointAt;
  }

  get(key: TableKey): Buffer | undefined {
    return this.#data.get(key);
  }

  *entries(): Iterable<[TableKey, Buffer]> {
    for (const { key, value } of this.#data.getRange()) yield [key, value];
  }

  count(): number {
    return this.#data.getCount();
  }

  async write(entries: readonly StoredEntry[], checkpoint: number): Promise<void> {
    const at = Date.now();
    await this.#env.transaction(() => {
      for (const [key, value] of entries) {
        if (value === undefined) void this.#data.remove(key);
        else void this.#data.put(key, value);
      }
      void this.#meta.put(CHECKPOINT, checkpoint);
      void this.#meta.put(CHECKPOINT_AT, at);
    });
    this.#checkpoint = checkpoint;
    this.#checkpointAt = at;
  }

  async clear(): Promise<void> {
    await this.#env.transaction(() => {
      this.#data.clearSync();
      void this.#meta.put(CHECKPOINT, 0);
      void this.#meta.remove(CHECKPOINT_AT);
    });
    this.#checkpoint = 0;
    this.#checkpointAt = undefined;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.#env.close();
      } finally {
        await this.#lock.release();
      }
    })();
    return this.#closing;
  }
}
