import type { Logger } from 'winston';
import type { Electron } from '../electron.js';
import { tableSizesChannel } from '../diagnostics.js';
import { partitionForKey } from '../partition/murmur2.js';
import type { Codec } from '../codec/codec.js';
import type { TableSpec } from '../registry/link-definition.js';
import type { OutputGroup } from '../runtime/output-group.js';
import type { TopicSpec } from '../transport/records.js';
import type { PartitionReader } from '../transport/transport.js';
import type { TableKey } from './keyed-table.js';
import type { Shard } from './shard.js';
import { ShardedTable, type TableHost } from './sharded-table.js';
import type { StateStoreFactory } from './state-store.js';
import { changelogTopic, TableCodec } from './table-codec.js';
import { partitionBytesOf } from './table-key.js';
import { ShardLifecycle } from './shard-lifecycle.js';
import { ChangeCuts } from './change-cuts.js';
import { publishWrites, undoWrites, WriteScopes, type AsyncScope } from './write-scopes.js';
import { WindowEntryCodec, type TimeWindow } from './window-entry.js';
import { resolveWindowSpec } from './window-spec.js';
import { WindowedShardedTable, type WindowHost } from './windowed-table.js';

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

/**
 * The tables of one link instance: written through write scopes that tie each change to the
 * electron that made it (undone if its handler throws, published when it returns), cut into
 * changelog records for the emitter ({@link ChangeCuts}), and their shards following the
 * partitions ({@link ShardLifecycle}).
 */
export class LinkTables implements TableHost, WindowHost {
  /** Every table's shards, keyed and windowed alike (a windowed table's raw table keyed by window). */
  readonly tables: ShardedTable[];
  /** The tables by name, as `ctx.tables` shows them. */
  readonly byName: Readonly<Record<string, ShardedTable | WindowedShardedTable>>;
  readonly #windowed: WindowedShardedTable[] = [];
  readonly #options: LinkTablesOptions;
  readonly #scopes: WriteScopes;
  readonly #shards: ShardLifecycle;
  readonly #cuts: ChangeCuts;
  /** Asynchronous handlers running, per partition: a revoke waits for them. */
  readonly #running = new Map<number, number>();
  #quietWaiters: (() => void)[] = [];
  #partitions = 0;
  #hasPending = false;

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
    const { store, group, link, uid, logger, isTransactional, handledOffsets } = options;
    this.#shards = new ShardLifecycle({ tables: this.tables, windowed: this.#windowed, store, group, link, uid, logger, onActivated: () => this.publishSizes() });
    this.#cuts = new ChangeCuts({ tables: this.tables, windowed: this.#windowed, isTransactional, handledOffsets });
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
    return this.#shards.describeMissing(partition);
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
    this.#cuts.cut(group);
  }

  /** See ChangeCuts.restoredOffsets. */
  restoredOffsets(partition: number): Record<string, number> | undefined {
    return this.#cuts.restoredOffsets(partition);
  }

  /** The broker acknowledged a group: its changelog records are durable. */
  acknowledged(marks: readonly unknown[]): void {
    this.#cuts.acknowledged(marks);
  }

  /** Exactly-once: a transaction committed, so every change produced so far is durable. */
  committed(): void {
    this.#cuts.committed();
  }

  // --- partitions coming and going ---

  /** Whether the tables hold (restored) shard `partition`. */
  holds(partition: number): boolean {
    return this.#shards.holds(partition);
  }

  /**
   * Restores the shards of newly assigned partitions and resolves once each is usable, or was
   * revoked meanwhile. @throws CatenaeError when a store cannot be opened or a changelog read.
   */
  assign(partitions: readonly number[], reader: () => PartitionReader): Promise<void> {
    return this.#shards.assign(partitions, reader);
  }

  /**
   * A revoke begins: electrons of these partitions no longer start (the caller stops them), a
   * restore of them stops. Resolves once their asynchronous handlers finished.
   */
  quiesce(partitions: readonly number[]): Promise<void> {
    this.#shards.revoking(partitions);
    return new Promise((resolve) => {
      const check = (): void => {
        if (partitions.some((p) => this.#running.has(p))) this.#quietWaiters.push(check);
        else resolve();
      };
      check();
    });
  }

  /** Gives the partitions' shards up (see ShardLifecycle.release). */
  release(partitions: readonly number[], isClean: boolean): Promise<void> {
    return this.#shards.release(partitions, isClean);
  }

  /** Writes what is durable to the local stores (a no-op in memory). */
  flushStores(): Promise<void> {
    return this.#shards.flushStores();
  }

  /** Flushes and closes every shard: the link stops. */
  close(): Promise<void> {
    return this.#shards.close();
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
    return this.#shards.isBusy;
  }
}
