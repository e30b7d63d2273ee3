import type { Logger } from 'winston';
import { CatenaeError, ErrorCode } from '../errors.js';
import type { Electron } from '../electron.js';
import { restoreChannel, tableSizesChannel } from '../diagnostics.js';
import { partitionForKey } from '../partition/murmur2.js';
import type { Codec } from '../codec/codec.js';
import type { TableSpec } from '../registry/link-definition.js';
import type { OutputGroup } from '../runtime/output-group.js';
import type { TopicSpec } from '../transport/records.js';
import type { PartitionReader } from '../transport/transport.js';
import type { TableKey } from './keyed-table.js';
import { restoreShards, RestoreCancelled, type ShardToRestore } from './restore-shards.js';
import { MemoryShard, type Shard } from './shard.js';
import { ShardedTable, type TableHost } from './sharded-table.js';
import type { StateStoreFactory } from './state-store.js';
import { StoredShard } from './stored-shard.js';
import { changelogTopic, TableCodec } from './table-codec.js';
import { OFFSETS_KEY, partitionBytesOf } from './table-key.js';
import { publishWrites, undoWrites, WriteScopes, type AsyncScope } from './write-scopes.js';
import { WindowEntryCodec, type TimeWindow } from './window-entry.js';
import { resolveWindowSpec } from './window-spec.js';
import { WindowedShardedTable, type WindowHost } from './windowed-table.js';

// Compaction may drop a tombstone this long after the deletion (Kafka's delete.retention.ms
// default): a local store older than that could keep a key deleted since, so it is rebuilt.
const STALE_STORE_MS = 24 * 60 * 60 * 1000;
const LOCK_TIMEOUT_MS = 30_000;
const PROGRESS_EVERY_MS = 5000;

/** A handler as the tables see it: whether it is an `async` function (or async generator). */
export interface ScopedHandler {
  readonly isAsync: boolean;
}

/** Runs one handler on one electron: undefined when it finished synchronously, else its promise. */
export type HandlerRun<H> = (handler: H, electron: Electron) => Promise<void> | undefined;

/** What the tables of one link instance need to know. */
export interface LinkTablesOptions {
  specs: readonly TableSpec[];
  link: string;
  uid: string;
  group: string;
  codec: string | Codec;
  schemas: Record<string, object>;
  /** Exactly-once: changes are durable when their transaction commits, not when acknowledged. */
  isTransactional: boolean;
  hasAsyncHandlers: boolean;
  store: StateStoreFactory | undefined;
  logger: Logger;
  /** Asks the emitter to flush soon: a change made outside a handler is pending. */
  scheduleFlush: () => void;
  /** Wall-clock time (a virtual one under TestDriver): windows' idle closes. */
  now: () => number;
  /** A window of `table` closed: runs its `@WindowClosed` handlers and emits what they return. */
  onWindowClosed: (table: string, key: TableKey, window: TimeWindow, value: unknown) => void;
  /** An electron fell only in closed windows of these windowed tables. */
  onLate: (electron: Electron, tables: readonly string[]) => void;
  /**
   * Per input topic of a partition, the offset before which every electron was handled (false
   * when one was handled out of order). Absent in exactly-once, where transactions keep the
   * changelogs and the input offsets together.
   */
  handledOffsets?: (partition: number) => Record<string, number> | false;
}

type PartitionState = 'restoring' | 'active' | 'closing';

/**
 * The tables of one link instance and their shards' lifecycle: shards are restored from the
 * changelogs before their partition's first electron, written through write scopes that tie
 * each change to the electron that made it, emitted to the changelogs with the electron's
 * outputs (coalesced per key between two flushes), and on revoke flushed and kept aside in case
 * the same partitions come back (a catch-up from the changelog then replaces a full restore).
 */
export class LinkTables implements TableHost, WindowHost {
  /** Every table's shards, keyed and windowed alike (a windowed table's raw table keyed by window). */
  readonly tables: ShardedTable[];
  /** The tables by name, as `ctx.tables` shows them. */
  readonly byName: Readonly<Record<string, ShardedTable | WindowedShardedTable>>;
  readonly #windowed: WindowedShardedTable[] = [];
  /** Tables whose codec can carry the input offsets entry (not Avro). */
  readonly #carriesOffsets = new Set<ShardedTable>();
  readonly #options: LinkTablesOptions;
  readonly #scopes: WriteScopes;
  readonly #state = new Map<number, PartitionState>();
  /** Shards of revoked partitions, by partition, in table order: reused if the partition comes back. */
  readonly #suspended = new Map<number, Shard[]>();
  /** Asynchronous handlers running, per partition: a revoke waits for them. */
  readonly #running = new Map<number, number>();
  #quietWaiters: (() => void)[] = [];
  #partitions = 0;
  #hasPending = false;
  #lifecycle: Promise<void> = Promise.resolve();
  #lifecycleSteps = 0;
  #isRestoring = false;
  #cancelRestore = false;
  /** Partitions assigned and not revoked since. */
  readonly #wanted = new Set<number>();

  constructor(options: LinkTablesOptions) {
    this.#options = options;
    this.#scopes = new WriteScopes(options.hasAsyncHandlers);
    const byName: Record<string, ShardedTable | WindowedShardedTable> = {};
    this.tables = options.specs.map((spec) => {
      const values = new TableCodec(spec, changelogTopic(options.group, spec.name), options.codec, options.schemas, options.link);
      if (spec.options.window === undefined) return (byName[spec.name] = new ShardedTable(spec, values, this));
      const raw = new ShardedTable(spec, new WindowEntryCodec(values), this);
      const windowed = new WindowedShardedTable(raw, resolveWindowSpec(spec.name, spec.options.window), this);
      raw.onUndone = (shard, key, before) => windowed.undone(shard, key as string, before);
      this.#windowed.push(windowed);
      byName[spec.name] = windowed;
      return raw;
    });
    this.byName = byName;
    if (options.handledOffsets !== undefined) {
      for (const table of this.tables) {
        try {
          table.codec.encode(this.#offsetsEntry(table, { topic: 1 }));
          this.#carriesOffsets.add(table);
        } catch {
          // A schema'd codec (Avro) has no room for it: this table's restores replay from the committed offsets.
        }
      }
    }
  }

  /** The windowed tables. */
  get windowed(): readonly WindowedShardedTable[] {
    return this.#windowed;
  }

  /** The input partition count, known once the inputs exist; every table has that many shards. */
  configure(partitions: number): void {
    this.#partitions = partitions;
  }

  get partitions(): number {
    return this.#partitions;
  }

  /** The changelog topics to create: compacted, one partition per input partition. */
  changelogTopics(): TopicSpec[] {
    return this.tables.map((table) => ({ topic: table.codec.topic, partitions: this.#partitions, config: { 'cleanup.policy': 'compact' } }));
  }

  // --- the hot path: handlers and their writes ---

  /**
   * Runs a handler in a write scope of its electron's partition: its writes go to that shard,
   * are undone if it throws, and become pending changelog changes when it returns.
   * @throws what the handler threw, or `CATENAE_ENCODE` for a value the table cannot encode.
   */
  invoke<H extends ScopedHandler>(handler: H, electron: Electron, run: HandlerRun<H>): Promise<void> | undefined {
    const partition = electron.partition ?? -1;
    const scopes = this.#scopes;
    if (!handler.isAsync) {
      scopes.enterSync(partition, electron);
      let pending: Promise<void> | undefined;
      try {
        pending = run(handler, electron);
        if (pending === undefined) this.#afterElectron(electron, partition);
      } catch (err) {
        scopes.takeLate();
        undoWrites(scopes.leaveSync(false));
        scopes.resetSync();
        throw err;
      }
      if (pending !== undefined) return this.#settle(partition, electron, scopes.leaveSync(true), scopes.takeLate(), pending);
      const late = scopes.takeLate();
      const log = scopes.leaveSync(false);
      try {
        this.#publish(log, electron, late);
      } finally {
        scopes.resetSync();
      }
      return undefined;
    }
    const scope: AsyncScope = { partition, log: [], electron };
    let pending: Promise<void> | undefined;
    try {
      pending = scopes.runAsync(scope, run, handler, electron);
    } catch (err) {
      undoWrites(scope.log);
      throw err;
    }
    if (pending !== undefined) return this.#settle(partition, electron, scope.log, undefined, pending, scope);
    this.#finishAfter(partition, electron, scope.log, scope.late);
    return undefined;
  }

  #settle(partition: number, electron: Electron, log: unknown[], late: string[] | undefined, pending: Promise<void>, scope?: AsyncScope): Promise<void> {
    this.#running.set(partition, (this.#running.get(partition) ?? 0) + 1);
    return pending.then(
      () => {
        this.#ran(partition);
        this.#finishAfter(partition, electron, log, scope?.late ?? late);
      },
      (err: unknown) => {
        this.#ran(partition);
        undoWrites(log);
        throw err;
      },
    );
  }

  /** After an asynchronous handler: stream time and window closes in a scope of their own, then publish. */
  #finishAfter(partition: number, electron: Electron, log: unknown[], late: string[] | undefined): void {
    if (this.#windowed.length > 0) {
      const scopes = this.#scopes;
      scopes.enterSync(partition, electron);
      try {
        this.#afterElectron(electron, partition);
      } catch (err) {
        scopes.takeLate();
        undoWrites(scopes.leaveSync(false));
        scopes.resetSync();
        undoWrites(log);
        throw err;
      }
      const more = scopes.takeLate();
      if (more !== undefined) late = [...(late ?? []), ...more];
      for (const entry of scopes.leaveSync(false)) log.push(entry);
      scopes.resetSync();
    }
    this.#publish(log, electron, late);
  }

  /** Stream time follows the electron in every windowed table; windows due close in its scope. */
  #afterElectron(electron: Electron, partition: number): void {
    const windowed = this.#windowed;
    for (let i = 0; i < windowed.length; i++) {
      const shard = windowed[i]!.raw.shards[partition];
      if (shard !== undefined) windowed[i]!.advance(shard, electron);
    }
  }

  /** Publishes a finished electron's writes as pending changes and reports it late where it was. */
  #publish(log: unknown[], electron: Electron, late: string[] | undefined): void {
    if (log.length > 0) {
      publishWrites(log);
      this.#hasPending = true;
    }
    if (late !== undefined) this.#options.onLate(electron, [...new Set(late)]);
  }

  #ran(partition: number): void {
    const left = this.#running.get(partition)! - 1;
    if (left > 0) this.#running.set(partition, left);
    else this.#running.delete(partition);
    if (this.#quietWaiters.length > 0) for (const wake of this.#quietWaiters.splice(0)) wake();
  }

  currentPartition(): number {
    return this.#scopes.partition();
  }

  currentElectron(): Electron | undefined {
    return this.#scopes.electron();
  }

  markLate(table: WindowedShardedTable): void {
    this.#scopes.markLate(table.name);
  }

  closed(table: WindowedShardedTable, key: TableKey, window: TimeWindow, value: unknown): void {
    this.#options.onWindowClosed(table.name, key, window, value);
  }

  now(): number {
    return this.#options.now();
  }

  /** Whether a windowed table has an idle close due (`window.idleClose`). */
  hasIdleCloseDue(): boolean {
    const now = this.#options.now();
    return this.#windowed.some((windowed) => windowed.hasIdleCloseDue(now));
  }

  /**
   * Moves the stream time of idle partitions with the clock and closes what is due, outside any
   * electron: the closes and what their handlers emit are published at once.
   * @throws what a `@WindowClosed` handler threw (the closes are then undone).
   */
  closeIdle(): void {
    const now = this.#options.now();
    const scopes = this.#scopes;
    scopes.enterSync(-1, undefined);
    try {
      for (const windowed of this.#windowed) windowed.advanceIdle(now);
    } catch (err) {
      undoWrites(scopes.leaveSync(false));
      scopes.resetSync();
      throw err;
    }
    const log = scopes.leaveSync(false);
    try {
      if (log.length > 0) {
        publishWrites(log);
        this.#hasPending = true;
        this.#options.scheduleFlush();
      }
    } finally {
      scopes.resetSync();
    }
  }


  partitionOfKey(key: TableKey): number {
    return this.#partitions > 0 ? partitionForKey(partitionBytesOf(key), this.#partitions) : -1;
  }

  wrote(table: ShardedTable, shard: Shard, key: TableKey, before: unknown): void {
    if (this.#scopes.log(table, shard, key, before)) return;
    // Outside a handler: checked and published at once, as a `ctx.send` would be.
    try {
      const value = shard.get(key);
      if (value !== undefined) table.validate(value);
    } catch (err) {
      shard.put(key, before);
      throw err;
    }
    shard.pending.add(key);
    this.#hasPending = true;
    this.#options.scheduleFlush();
  }

  describeMissing(partition: number): string {
    if (partition < 0) return 'but the input partitions are not known yet (tables are usable once the link runs)';
    const state = this.#state.get(partition);
    if (state === 'restoring') return 'which this instance is still restoring';
    return `which this instance does not hold${this.#wanted.size > 0 ? ` (it holds ${[...this.#wanted].sort((a, b) => a - b).join(', ')})` : ''}: call the owner by key, ctx.rpc.call({ link, key }, ...)`;
  }

  // --- the emitter's change source ---

  /** Whether changes wait for the next flush. */
  get hasPending(): boolean {
    return this.#hasPending;
  }

  /**
   * Appends a changelog record per pending key (its value now, or a tombstone) to the group the
   * emitter is about to produce, with marks that say which records it carries per shard.
   * @throws CatenaeError `CATENAE_ENCODE` when a value changed since its handler returned can no longer be encoded.
   */
  emitTo(group: OutputGroup): void {
    if (!this.#hasPending) return;
    this.#hasPending = false;
    const marksDurable = !this.#options.isTransactional;
    const handledOffsets = this.#options.handledOffsets;
    for (const table of this.tables) {
      const carriesOffsets = this.#carriesOffsets.has(table);
      for (const shard of table.shards) {
        if (shard === undefined || shard.pending.size === 0) continue;
        // Last in the partition: on the broker it implies every change cut before it.
        if (carriesOffsets) this.#noteOffsets(table, shard, handledOffsets!(shard.partition));
        for (const key of shard.pending) {
          const record = table.changeRecord(shard, key);
          group.records.push(record);
          shard.emitted(key, record.value, shard.produced++);
        }
        shard.pending.clear();
        if (marksDurable) (group.marks ??= []).push(shard, shard.produced);
      }
    }
  }

  /**
   * Records with a cut of changes the input offsets it reflects: every electron below them was
   * handled and its changes are in this cut or an earlier one, none at or above is (false when
   * electrons were handled out of order). A restore then skips the input below them, so an
   * electron's changes are never applied twice after a crash, in any mode.
   */
  #noteOffsets(table: ShardedTable, shard: Shard, handled: Record<string, number> | false): void {
    const before = this.#unwrapOffsets(table, shard.get(OFFSETS_KEY));
    const offsets = handled === false ? false : { ...(before || {}), ...handled };
    shard.put(OFFSETS_KEY, this.#offsetsEntry(table, offsets));
    shard.pending.delete(OFFSETS_KEY);
    shard.pending.add(OFFSETS_KEY);
  }

  #offsetsEntry(table: ShardedTable, offsets: Record<string, number> | false): unknown {
    return this.#isWindowed(table) ? { value: offsets, end: 0, closed: false } : offsets;
  }

  #unwrapOffsets(table: ShardedTable, stored: unknown): Record<string, number> | false | undefined {
    if (stored === undefined) return undefined;
    return (this.#isWindowed(table) ? (stored as { value: unknown }).value : stored) as Record<string, number> | false;
  }

  #isWindowed(table: ShardedTable): boolean {
    return this.#windowed.some((windowed) => windowed.raw === table);
  }

  /**
   * The input offsets a restored partition's shards reflect, per input topic: the smallest over
   * its tables; undefined when one table lacks them (nothing to skip: the committed offsets rule).
   */
  restoredOffsets(partition: number): Record<string, number> | undefined {
    if (this.#options.handledOffsets === undefined || this.#carriesOffsets.size !== this.tables.length) return undefined;
    let least: Record<string, number> | undefined;
    for (const table of this.tables) {
      const shard = table.shards[partition];
      const offsets = shard === undefined ? undefined : this.#unwrapOffsets(table, shard.get(OFFSETS_KEY));
      if (offsets === undefined || offsets === false) return undefined;
      if (least === undefined) least = { ...offsets };
      else {
        for (const topic of Object.keys(least)) {
          if (offsets[topic] === undefined) delete least[topic];
          else least[topic] = Math.min(least[topic]!, offsets[topic]!);
        }
      }
    }
    return least;
  }

  /** The broker acknowledged a group: its changelog records are durable. */
  acknowledged(marks: readonly unknown[]): void {
    for (let i = 0; i < marks.length; i += 2) {
      const shard = marks[i] as Shard;
      const produced = marks[i + 1] as number;
      if (produced > shard.durable) shard.durable = produced;
    }
  }

  /** Exactly-once: a transaction committed, so every change produced so far is durable. */
  committed(): void {
    for (const table of this.tables) for (const shard of table.shards) if (shard !== undefined) shard.durable = shard.produced;
  }

  // --- partitions coming and going ---

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
    for (const windowed of this.#windowed) for (const p of fresh) windowed.activate(windowed.raw.shards[p]!);
    for (const p of fresh) this.#state.set(p, 'active');
    this.#publishRestore('done', fresh, read, total);
    this.publishSizes();
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

  /**
   * A revoke begins: electrons of these partitions no longer start (the caller stops them), a
   * restore of them stops. Resolves once their asynchronous handlers finished.
   */
  quiesce(partitions: readonly number[]): Promise<void> {
    for (const p of partitions) {
      this.#wanted.delete(p);
      if (this.#state.get(p) === 'active') this.#state.set(p, 'closing');
    }
    if (this.#isRestoring) this.#cancelRestore = true;
    return new Promise((resolve) => {
      const check = (): void => {
        if (partitions.some((p) => this.#running.has(p))) this.#quietWaiters.push(check);
        else resolve();
      };
      check();
    });
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
        for (const windowed of this.#windowed) windowed.deactivate(p);
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

  /** Publishes the tables' sizes on the `table-sizes` diagnostics channel, if someone listens. */
  publishSizes(): void {
    if (!tableSizesChannel.hasSubscribers) return;
    const sizes: Record<string, number> = {};
    for (const table of Object.values(this.byName)) sizes[table.name] = table.size;
    tableSizesChannel.publish({ link: this.#options.link, uid: this.#options.uid, sizes });
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
