import type { Logger } from 'winston';
import { CatenaeError, ErrorCode } from '../errors.js';
import { restoreChannel } from '../diagnostics.js';
import type { PartitionReader } from '../transport/transport.js';
import { restoreShards, RestoreCancelled, type ShardToRestore } from './restore-shards.js';
import { MemoryShard, type Shard } from './shard.js';
import type { ShardedTable } from './sharded-table.js';
import type { StateStoreFactory } from './state-store.js';
import { StoredShard } from './stored-shard.js';
import type { WindowedShardedTable } from './windowed-table.js';

// Compaction may drop a tombstone this long after the deletion (Kafka's delete.retention.ms
// default): a local store older than that could keep a key deleted since, so it is rebuilt.
const STALE_STORE_MS = 24 * 60 * 60 * 1000;
const LOCK_TIMEOUT_MS = 30_000;
const PROGRESS_EVERY_MS = 5000;

type PartitionState = 'restoring' | 'active' | 'closing';

/** What the shards' lifecycle needs of its link. */
export interface ShardLifecycleOptions {
  tables: readonly ShardedTable[];
  windowed: readonly WindowedShardedTable[];
  store: StateStoreFactory | undefined;
  group: string;
  link: string;
  uid: string;
  logger: Logger;
  /** Shards of partitions just became usable. */
  onActivated: () => void;
}

/**
 * The shards of a link's tables as partitions come and go: restored from the changelogs (or
 * caught up, for shards kept from a revoke) before their partition's first electron, one step at
 * a time; on revoke flushed to the local store and kept aside in case the same partitions come
 * back; closed at stop.
 */
export class ShardLifecycle {
  readonly #options: ShardLifecycleOptions;
  readonly tables: readonly ShardedTable[];
  readonly #state = new Map<number, PartitionState>();
  /** Shards of revoked partitions, by partition, in table order: reused if the partition comes back. */
  readonly #suspended = new Map<number, Shard[]>();
  /** Partitions assigned and not revoked since. */
  readonly #wanted = new Set<number>();
  #lifecycle: Promise<void> = Promise.resolve();
  #lifecycleSteps = 0;
  #isRestoring = false;
  #cancelRestore = false;

  constructor(options: ShardLifecycleOptions) {
    this.#options = options;
    this.tables = options.tables;
  }

  /** Why this instance holds no shard `partition`, for an error message. */
  describeMissing(partition: number): string {
    if (partition < 0) return 'but the input partitions are not known yet (tables are usable once the link runs)';
    if (this.#state.get(partition) === 'restoring') return 'which this instance is still restoring';
    return `which this instance does not hold${this.#wanted.size > 0 ? ` (it holds ${[...this.#wanted].sort((a, b) => a - b).join(', ')})` : ''}: call the owner by key, ctx.rpc.call({ link, key }, ...)`;
  }

  /** Whether the tables hold (restored) shard `partition`. */
  holds(partition: number): boolean {
    return this.#state.get(partition) === 'active';
  }

  /**
   * Restores the shards of newly assigned partitions (catching up kept ones from where they
   * stopped) and resolves once each is usable, or was revoked meanwhile. Shards kept from a
   * revoke whose partitions did not come back are closed.
   * @throws CatenaeError when a store cannot be opened or the changelog cannot be read.
   */
  assign(partitions: readonly number[], reader: () => PartitionReader): Promise<void> {
    for (const p of partitions) this.#wanted.add(p);
    return this.#queue(() => this.#assign(partitions, reader));
  }

  async #assign(partitions: readonly number[], reader: () => PartitionReader): Promise<void> {
    for (const [p, shards] of [...this.#suspended]) {
      if (this.#wanted.has(p)) continue;
      this.#suspended.delete(p);
      await closeShards(shards);
    }
    const fresh = partitions.filter((p) => this.#wanted.has(p) && this.#state.get(p) === undefined);
    if (fresh.length === 0) return;
    for (const p of fresh) this.#state.set(p, 'restoring');
    const targets: ShardToRestore[] = [];
    // From before the stores are opened (a lock may be waited for) until usable: not ready.
    let read = 0;
    let total = 0;
    this.#publishRestore('started', fresh, 0, 0);
    try {
      for (const p of fresh) {
        const kept = this.#suspended.get(p);
        this.#suspended.delete(p);
        for (let t = 0; t < this.tables.length; t++) {
          const table = this.tables[t]!;
          const shard = kept?.[t] ?? (await this.#openShard(table, p));
          targets.push({ table, shard, from: kept !== undefined ? shard.position : await this.#startOf(table, shard) });
        }
      }
      await this.#restore(targets, reader, (records, of) => {
        read = records;
        total = of;
        this.#publishRestore('progress', fresh, records, of);
      });
    } catch (err) {
      this.#publishRestore('done', fresh, read, total);
      for (const p of fresh) this.#state.delete(p);
      await closeShards(targets.map((target) => target.shard));
      if (!(err instanceof RestoreCancelled)) throw err;
      // Revoked during the restore: the partitions still assigned start over.
      const still = fresh.filter((p) => this.#wanted.has(p));
      if (still.length > 0) await this.#assign(still, reader);
      return;
    }
    for (const { table, shard } of targets) table.shards[shard.partition] = shard;
    for (const windowed of this.#options.windowed) for (const p of fresh) windowed.activate(windowed.raw.shards[p]!);
    for (const p of fresh) this.#state.set(p, 'active');
    this.#publishRestore('done', fresh, read, total);
    this.#options.onActivated();
  }

  #publishRestore(phase: 'started' | 'progress' | 'done', partitions: readonly number[], records: number, total: number): void {
    if (restoreChannel.hasSubscribers) restoreChannel.publish({ link: this.#options.link, uid: this.#options.uid, phase, partitions, records, total });
  }

  async #restore(targets: ShardToRestore[], reader: () => PartitionReader, onProgress: (records: number, total: number) => void): Promise<void> {
    const open = reader();
    this.#isRestoring = true;
    this.#cancelRestore = false;
    try {
      const { logger } = this.#options;
      await restoreShards(open, targets, { logger, onProgress, progressEveryMs: PROGRESS_EVERY_MS, isCancelled: () => this.#cancelRestore });
    } finally {
      this.#isRestoring = false;
      await open.close();
    }
  }

  /** A revoke begins: these partitions are no longer wanted, and a restore of them stops. */
  revoking(partitions: readonly number[]): void {
    for (const p of partitions) {
      this.#wanted.delete(p);
      if (this.#state.get(p) === 'active') this.#state.set(p, 'closing');
    }
    if (this.#isRestoring) this.#cancelRestore = true;
  }

  /**
   * Gives the partitions' shards up once their changes were emitted, acknowledged and committed:
   * flushed to the local store, and kept aside when `isClean` (every change durable), else closed.
   */
  release(partitions: readonly number[], isClean: boolean): Promise<void> {
    return this.#queue(async () => {
      for (const p of partitions) {
        if (this.#state.get(p) === 'restoring') continue;
        this.#state.delete(p);
        for (const windowed of this.#options.windowed) windowed.deactivate(p);
        const shards: Shard[] = [];
        for (const table of this.tables) {
          const shard = table.shards[p];
          table.shards[p] = undefined;
          if (shard !== undefined) shards.push(shard);
        }
        if (shards.length === 0) continue;
        await Promise.all(shards.map((shard) => shard.flush()));
        const isSettled = isClean && shards.length === this.tables.length && shards.every((shard) => shard.durable === shard.produced && shard.pending.size === 0);
        if (isSettled) this.#suspended.set(p, shards);
        else await closeShards(shards);
      }
    });
  }

  /** Writes what is durable to the local stores (a no-op in memory). */
  async flushStores(): Promise<void> {
    const flushes: Promise<void>[] = [];
    for (const table of this.tables) for (const shard of table.shards) if (shard !== undefined) flushes.push(shard.flush());
    await Promise.all(flushes);
  }

  /** Flushes and closes every shard: the link stops. */
  close(): Promise<void> {
    this.#wanted.clear();
    if (this.#isRestoring) this.#cancelRestore = true;
    return this.#queue(async () => {
      const shards: Shard[] = [];
      for (const table of this.tables) {
        for (let p = 0; p < table.shards.length; p++) {
          const shard = table.shards[p];
          if (shard !== undefined) shards.push(shard);
          table.shards[p] = undefined;
        }
      }
      for (const kept of this.#suspended.values()) shards.push(...kept);
      this.#suspended.clear();
      this.#state.clear();
      await Promise.all(shards.map((shard) => shard.flush()));
      await closeShards(shards);
    });
  }

  /** Whether shards are being restored or handed back. */
  get isBusy(): boolean {
    return this.#lifecycleSteps > 0;
  }

  #queue(step: () => Promise<void>): Promise<void> {
    this.#lifecycleSteps++;
    const run = this.#lifecycle.then(step).finally(() => this.#lifecycleSteps--);
    this.#lifecycle = run.catch(() => undefined);
    return run;
  }

  async #openShard(table: ShardedTable, partition: number): Promise<Shard> {
    const { store, group, logger } = this.#options;
    const decode = (bytes: Buffer): unknown => table.codec.decode(bytes);
    if (store === undefined) return new MemoryShard(partition, decode);
    const opened = await store.open({ group, table: table.name, partition }, { logger, lockTimeoutMs: LOCK_TIMEOUT_MS });
    return new StoredShard(partition, opened, decode);
  }

  async #startOf(table: ShardedTable, shard: Shard): Promise<number> {
    if (!(shard instanceof StoredShard)) return 0;
    const at = shard.checkpointAt;
    if (shard.checkpoint > 0 && at !== undefined && Date.now() - at > STALE_STORE_MS) {
      this.#options.logger.warn(`table ${table.name} shard ${shard.partition}: the local store was last written ${new Date(at).toISOString()}, longer ago than compaction keeps deletions; rebuilding it from the changelog`);
      await shard.clear();
    }
    return shard.checkpoint;
  }
}

async function closeShards(shards: readonly Shard[]): Promise<void> {
  const results = await Promise.allSettled(shards.map((shard) => shard.close()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw new CatenaeError(ErrorCode.State, `cannot close a table shard: ${(failed.reason as Error).message}`, { cause: failed.reason });
}
