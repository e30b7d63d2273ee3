import { AsyncLocalStorage } from 'node:async_hooks';
import type { TableKey } from './keyed-table.js';
import type { Shard } from './shard.js';
import type { Electron } from '../electron.js';

/** The table a write went to: it checks, when the handler returns, that the value can be encoded. */
export interface WriteOwner {
  /** @throws CatenaeError `CATENAE_ENCODE` */
  validate(value: unknown): void;
  /** The write of `key` in `shard` was undone back to `before`. */
  undone?(shard: Shard, key: TableKey, before: unknown): void;
}

/**
 * The writes of one electron being handled: flat quadruples (owner, shard, key, value before),
 * so a handler that throws is undone and a handler that returns publishes its keys as pending.
 */
export interface AsyncScope {
  readonly partition: number;
  readonly log: unknown[];
  readonly electron: Electron;
  /** Windowed tables (their names) for which the electron fell only in closed windows. */
  late?: string[];
}

/**
 * Tracks which electron a table write belongs to. A synchronous handler runs between
 * `enterSync` and `leaveSync` (no allocation but on write); an `async` function or async
 * generator runs inside an `AsyncLocalStorage` scope, created only when the link has such handlers.
 */
export class WriteScopes {
  #inSync = false;
  #syncPartition = -1;
  #syncElectron: Electron | undefined;
  #syncLate: string[] | undefined;
  readonly #syncLog: unknown[] = [];
  readonly #storage: AsyncLocalStorage<AsyncScope> | undefined;

  constructor(hasAsyncHandlers: boolean) {
    this.#storage = hasAsyncHandlers ? new AsyncLocalStorage() : undefined;
  }

  /** The partition of the electron being handled, or -1 outside a handler. */
  partition(): number {
    if (this.#inSync) return this.#syncPartition;
    const scope = this.#storage?.getStore();
    return scope === undefined ? -1 : scope.partition;
  }

  /** Logs a write for undo; false outside a handler. */
  log(owner: WriteOwner, shard: Shard, key: TableKey, before: unknown): boolean {
    let log: unknown[];
    if (this.#inSync) log = this.#syncLog;
    else {
      const scope = this.#storage?.getStore();
      if (scope === undefined) return false;
      log = scope.log;
    }
    log.push(owner, shard, key, before);
    return true;
  }

  enterSync(partition: number, electron: Electron | undefined): void {
    this.#inSync = true;
    this.#syncPartition = partition;
    this.#syncElectron = electron;
  }

  /** The electron being handled, undefined outside a handler. */
  electron(): Electron | undefined {
    if (this.#inSync) return this.#syncElectron;
    return this.#storage?.getStore()?.electron;
  }

  /** The electron being handled was late for the windowed table `name`. */
  markLate(name: string): void {
    if (this.#inSync) {
      (this.#syncLate ??= []).push(name);
      return;
    }
    const scope = this.#storage?.getStore();
    if (scope !== undefined) (scope.late ??= []).push(name);
  }

  /** The tables the synchronous scope's electron was late for, and forgets them. */
  takeLate(): string[] | undefined {
    const late = this.#syncLate;
    this.#syncLate = undefined;
    return late;
  }

  /** Ends the synchronous scope and hands back its writes (a copy when `keep`, else the reused log). */
  leaveSync(keep: boolean): unknown[] {
    this.#inSync = false;
    this.#syncElectron = undefined;
    const log = this.#syncLog;
    if (!keep) return log;
    const copy = log.slice();
    log.length = 0;
    return copy;
  }

  /** Clears the reused synchronous log once its writes were settled. */
  resetSync(): void {
    this.#syncLog.length = 0;
  }

  /** Runs `fn` in an asynchronous scope. */
  runAsync<A, B, R>(scope: AsyncScope, fn: (a: A, b: B) => R, a: A, b: B): R {
    return this.#storage!.run(scope, fn, a, b);
  }
}

/** Undoes a scope's writes, last first. */
export function undoWrites(log: readonly unknown[]): void {
  for (let i = log.length - 4; i >= 0; i -= 4) {
    const shard = log[i + 1] as Shard;
    const key = log[i + 2] as TableKey;
    shard.put(key, log[i + 3]);
    (log[i] as WriteOwner).undone?.(shard, key, log[i + 3]);
  }
}

/**
 * Publishes a finished scope's keys as pending changelog changes, after checking that every
 * object value it wrote can be encoded (else undoes them all and throws).
 * @throws CatenaeError `CATENAE_ENCODE`
 */
export function publishWrites(log: readonly unknown[]): void {
  for (let i = 0; i < log.length; i += 4) {
    const value = (log[i + 1] as Shard).get(log[i + 2] as TableKey);
    if (value === undefined) continue;
    try {
      (log[i] as WriteOwner).validate(value);
    } catch (err) {
      undoWrites(log);
      throw err;
    }
  }
  for (let i = 0; i < log.length; i += 4) (log[i + 1] as Shard).pending.add(log[i + 2] as TableKey);
}
