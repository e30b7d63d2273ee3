import { CatenaeError, ErrorCode } from '../errors.js';
import type { Electron } from '../electron.js';
import type { TableKey } from './keyed-table.js';
import type { Shard } from './shard.js';
import type { ShardedTable } from './sharded-table.js';
import { checkTableKey } from './table-key.js';
import { checkEventTime, parseWindowKey, STREAM_TIME_KEY, streamTimeEntry, windowKeyOf, type TimeWindow, type WindowEntry } from './window-entry.js';
import { insertSorted, removeSorted, ShardWindows } from './shard-windows.js';
import type { WindowedTable } from './windowed-table-api.js';
import type { WindowSpec } from './window-spec.js';

export type { TimeWindow } from './window-entry.js';
export type { WindowedTable } from './windowed-table-api.js';

/** What a windowed table needs of the link's tables. */
export interface WindowHost {
  /** The electron being handled, undefined outside a handler. */
  currentElectron(): Electron | undefined;
  /** The electron being handled fell only in closed windows of `table`. */
  markLate(table: WindowedShardedTable): void;
  /** A window closed: run the table's `@WindowClosed` handlers (as part of the electron being handled). */
  closed(table: WindowedShardedTable, key: TableKey, window: TimeWindow, value: unknown): void;
  /** Wall-clock time (a virtual one under TestDriver). */
  now(): number;
}

/** A {@link WindowedTable} over a raw table keyed by (key, window start). */
export class WindowedShardedTable implements WindowedTable<TableKey, unknown> {
  readonly name: string;
  readonly spec: WindowSpec;
  /** The table whose shards hold the windows, restored and emitted like any other. */
  readonly raw: ShardedTable;
  readonly #host: WindowHost;
  readonly #windows: (ShardWindows | undefined)[] = [];

  constructor(raw: ShardedTable, spec: WindowSpec, host: WindowHost) {
    this.name = raw.name;
    this.raw = raw;
    this.spec = spec;
    this.#host = host;
  }

  get(key: TableKey, time?: number): unknown {
    checkTableKey(this.name, key);
    const t = this.#timeOf(time);
    const shard = this.raw.shardFor(key);
    if (this.spec.kind === 'session') {
      const start = this.#sessionAt(shard, key, t);
      return start === undefined ? undefined : (shard.get(windowKeyOf(key, start)) as WindowEntry).value;
    }
    const starts = this.#startsOf(t);
    for (let i = starts.length - 1; i >= 0; i--) {
      const entry = shard.get(windowKeyOf(key, starts[i]!)) as WindowEntry | undefined;
      if (entry !== undefined) return entry.value;
    }
    return undefined;
  }

  set(key: TableKey, value: unknown, time?: number): this {
    return this.update(key, () => value, time);
  }

  update(key: TableKey, fn: (value: any, window: TimeWindow) => unknown, time?: number): this {
    checkTableKey(this.name, key);
    const t = this.#timeOf(time);
    const shard = this.raw.shardFor(key);
    const windows = this.#windowsOf(shard);
    if (this.spec.kind === 'session') {
      this.#updateSession(shard, windows, key, t, fn);
      return this;
    }
    const { size, grace } = this.spec;
    let applied = 0;
    for (const start of this.#startsOf(t)) {
      const end = start + size;
      if (end + grace <= windows.streamTime) continue;
      const windowKey = windowKeyOf(key, start);
      const entry = shard.get(windowKey) as WindowEntry | undefined;
      if (entry?.closed === true) continue;
      const value = fn(entry?.value, { start, end });
      this.raw.write(shard, windowKey, value === undefined ? undefined : { value, end, closed: false });
      if (entry === undefined) windows.heap.push(end + grace, windowKey);
      applied++;
    }
    if (applied === 0) this.#host.markLate(this);
    return this;
  }

  delete(key: TableKey, time?: number): boolean {
    checkTableKey(this.name, key);
    const t = this.#timeOf(time);
    const shard = this.raw.shardFor(key);
    const starts = this.spec.kind === 'session' ? [this.#sessionAt(shard, key, t)].filter((s): s is number => s !== undefined) : this.#startsOf(t);
    let deleted = false;
    for (const start of starts) {
      const windowKey = windowKeyOf(key, start);
      const entry = shard.get(windowKey) as WindowEntry | undefined;
      if (entry === undefined || entry.closed) continue;
      this.raw.write(shard, windowKey, undefined);
      deleted = true;
    }
    return deleted;
  }

  range(key: TableKey, from: number, to: number): [TimeWindow, unknown][] {
    checkTableKey(this.name, key);
    const shard = this.raw.shardFor(key);
    const found: [TimeWindow, unknown][] = [];
    const starts = this.spec.kind === 'session' ? [...(this.#windowsOf(shard).sessions.get(key) ?? [])] : this.#startsBetween(from, to);
    for (const start of starts) {
      const entry = shard.get(windowKeyOf(key, start)) as WindowEntry | undefined;
      if (entry === undefined || entry.end <= from || start >= to) continue;
      found.push([{ start, end: entry.end }, entry.value]);
    }
    return found;
  }

  isLate(time?: number): boolean {
    const t = this.#timeOf(time);
    const electron = this.#host.currentElectron();
    const partition = electron?.partition;
    const windows = partition === undefined ? undefined : this.#windows[partition];
    return windows !== undefined && this.#closeOfLatestWindow(t) <= windows.streamTime;
  }

  streamTime(key?: TableKey): number {
    const shard = key === undefined ? this.raw.shardFor('') : this.raw.shardFor(key);
    return this.#windowsOf(shard).streamTime;
  }

  *entries(): IterableIterator<[TableKey, TimeWindow, unknown]> {
    for (const [windowKey, entry] of this.raw.entries()) {
      const parsed = parseWindowKey(windowKey as string);
      if (parsed === undefined) continue;
      const { value, end } = entry as WindowEntry;
      yield [parsed.key, { start: parsed.start, end }, value];
    }
  }

  [Symbol.iterator](): IterableIterator<[TableKey, TimeWindow, unknown]> {
    return this.entries();
  }

  get size(): number {
    return this.raw.size;
  }

  // --- driven by the link's tables ---

  /** A shard became usable (restored): index its windows and read its stream time. */
  activate(shard: Shard): void {
    const windows = new ShardWindows(this.#host.now());
    this.#windows[shard.partition] = windows;
    const streamTime = shard.get(STREAM_TIME_KEY) as WindowEntry | undefined;
    if (streamTime !== undefined) {
      windows.streamTime = streamTime.value as number;
      windows.streamTimeAtLastEvent = windows.streamTime;
    }
    for (const [windowKey, value] of shard.entries()) {
      const entry = value as WindowEntry;
      const parsed = parseWindowKey(windowKey as string);
      if (parsed === undefined) continue;
      windows.heap.push(entry.closed ? this.#dropTime(entry) : this.#closeTime(entry), windowKey as string);
      if (this.spec.kind === 'session') insertSorted(windows.sessions, parsed.key, parsed.start);
    }
  }

  /** A shard was handed back. */
  deactivate(partition: number): void {
    this.#windows[partition] = undefined;
  }

  /**
   * A handler failed and its write of `windowKey` was undone back to `before`: the indexes, which
   * the write had moved on, point at the restored window again.
   */
  undone(shard: Shard, windowKey: string, before: unknown): void {
    const windows = this.#windows[shard.partition];
    if (windows === undefined) return;
    const entry = before as WindowEntry | undefined;
    if (windowKey === STREAM_TIME_KEY) {
      windows.streamTime = entry === undefined ? -1 : (entry.value as number);
      return;
    }
    if (entry === undefined) return;
    windows.heap.push(entry.closed ? this.#dropTime(entry) : this.#closeTime(entry), windowKey);
    if (this.spec.kind === 'session') insertSorted(windows.sessions, parseWindowKey(windowKey)!.key, parseWindowKey(windowKey)!.start);
  }

  /**
   * An electron of `shard`'s partition was handled: stream time moves to its event time if later,
   * windows that are due close (their handlers run) and expired ones are dropped.
   */
  advance(shard: Shard, electron: Electron): void {
    const windows = this.#windowsOf(shard);
    windows.lastEventWall = this.#host.now();
    const t = this.spec.time(electron);
    if (!(Number.isInteger(t) && t > windows.streamTime)) {
      windows.streamTimeAtLastEvent = windows.streamTime;
      return;
    }
    windows.streamTimeAtLastEvent = t;
    this.#moveStreamTime(shard, windows, t);
  }

  /**
   * Idle closes (`window.idleClose`): a partition without electrons for that long of wall-clock time
   * has its stream time follow the clock. Returns whether anything was due.
   */
  advanceIdle(now: number): boolean {
    const idle = this.spec.idleClose;
    if (idle === 0) return false;
    let moved = false;
    for (const shard of this.raw.shards) {
      const windows = shard === undefined ? undefined : this.#windows[shard.partition];
      if (windows === undefined || windows.streamTimeAtLastEvent < 0 || now - windows.lastEventWall < idle) continue;
      const t = windows.streamTimeAtLastEvent + (now - windows.lastEventWall);
      if (t <= windows.streamTime || t < windows.heap.peekTime()) continue;
      this.#moveStreamTime(shard!, windows, t);
      moved = true;
    }
    return moved;
  }

  /** Whether an idle close is due at `now`. */
  hasIdleCloseDue(now: number): boolean {
    const idle = this.spec.idleClose;
    if (idle === 0) return false;
    for (const windows of this.#windows) {
      if (windows === undefined || windows.streamTimeAtLastEvent < 0 || now - windows.lastEventWall < idle) continue;
      if (windows.streamTimeAtLastEvent + (now - windows.lastEventWall) >= windows.heap.peekTime()) return true;
    }
    return false;
  }

  #moveStreamTime(shard: Shard, windows: ShardWindows, t: number): void {
    windows.streamTime = t;
    this.raw.write(shard, STREAM_TIME_KEY, streamTimeEntry(t));
    const heap = windows.heap;
    while (heap.peekTime() <= t) {
      const windowKey = heap.pop()!;
      const entry = shard.get(windowKey) as WindowEntry | undefined;
      if (entry === undefined) continue;
      if (!entry.closed) {
        const closeAt = this.#closeTime(entry);
        // A session extended since this hint was left.
        if (closeAt > t) {
          heap.push(closeAt, windowKey);
          continue;
        }
        const { key, start } = parseWindowKey(windowKey)!;
        const dropAt = this.#dropTime(entry);
        if (dropAt <= t) this.#drop(shard, windowKey);
        else {
          this.raw.write(shard, windowKey, { value: entry.value, end: entry.end, closed: true });
          heap.push(dropAt, windowKey);
        }
        this.#host.closed(this, key, { start, end: entry.end }, entry.value);
        continue;
      }
      const dropAt = this.#dropTime(entry);
      if (dropAt > t) heap.push(dropAt, windowKey);
      else this.#drop(shard, windowKey);
    }
  }

  #drop(shard: Shard, windowKey: string): void {
    this.raw.write(shard, windowKey, undefined);
  }

  #updateSession(shard: Shard, windows: ShardWindows, key: TableKey, t: number, fn: (value: any, window: TimeWindow) => unknown): void {
    const { gap, grace, merge } = this.spec;
    if (t + gap + grace <= windows.streamTime) {
      this.#host.markLate(this);
      return;
    }
    const starts = windows.sessions.get(key) ?? [];
    let start = t;
    let end = t + 1;
    let value: unknown;
    let hasValue = false;
    for (const sessionStart of [...starts]) {
      const windowKey = windowKeyOf(key, sessionStart);
      const entry = shard.get(windowKey) as WindowEntry | undefined;
      if (entry === undefined) {
        removeSorted(windows.sessions, key, sessionStart);
        continue;
      }
      // Joined when the electron falls within a gap of it; closed sessions are left alone.
      if (entry.closed || t < sessionStart - gap || t > entry.end - 1 + gap) continue;
      start = Math.min(start, sessionStart);
      end = Math.max(end, entry.end);
      value = hasValue ? merge!(value, entry.value) : entry.value;
      hasValue = true;
      // Its index entry goes when a later lookup finds it gone: a failed handler may bring it back.
      this.raw.write(shard, windowKey, undefined);
    }
    const next = fn(hasValue ? value : undefined, { start, end });
    if (next === undefined) return;
    const windowKey = windowKeyOf(key, start);
    this.raw.write(shard, windowKey, { value: next, end, closed: false });
    insertSorted(windows.sessions, key, start);
    windows.heap.push(end - 1 + gap + grace, windowKey);
  }

  #sessionAt(shard: Shard, key: TableKey, t: number): number | undefined {
    const sessions = this.#windowsOf(shard).sessions;
    for (const start of [...(sessions.get(key) ?? [])]) {
      const entry = shard.get(windowKeyOf(key, start)) as WindowEntry | undefined;
      if (entry === undefined) removeSorted(sessions, key, start);
      else if (start <= t && t < entry.end) return start;
    }
    return undefined;
  }

  /** Starts of the tumbling or hopping windows holding `t`, oldest first. */
  #startsOf(t: number): number[] {
    const { size, advance } = this.spec;
    const last = Math.floor(t / advance) * advance;
    const starts: number[] = [];
    for (let start = last - Math.ceil((size - advance) / advance) * advance; start <= last; start += advance) {
      if (start <= t && t < start + size && start >= 0) starts.push(start);
    }
    return starts;
  }

  #startsBetween(from: number, to: number): number[] {
    const { size, advance } = this.spec;
    const starts: number[] = [];
    const first = Math.max(0, Math.floor((from - size) / advance + 1) * advance);
    for (let start = first; start < to; start += advance) if (start + size > from) starts.push(start);
    return starts;
  }

  #closeTime(entry: WindowEntry): number {
    return this.spec.kind === 'session' ? entry.end - 1 + this.spec.gap + this.spec.grace : entry.end + this.spec.grace;
  }

  #dropTime(entry: WindowEntry): number {
    return this.spec.kind === 'session' ? entry.end - 1 + this.spec.gap + this.spec.retention : entry.end + this.spec.retention;
  }

  #closeOfLatestWindow(t: number): number {
    if (this.spec.kind === 'session') return t + this.spec.gap + this.spec.grace;
    const starts = this.#startsOf(t);
    return starts.length === 0 ? -Infinity : starts[starts.length - 1]! + this.spec.size + this.spec.grace;
  }

  #windowsOf(shard: Shard): ShardWindows {
    let windows = this.#windows[shard.partition];
    if (windows === undefined) this.#windows[shard.partition] = windows = new ShardWindows(this.#host.now());
    return windows;
  }

  #timeOf(time: number | undefined): number {
    if (time !== undefined) {
      checkEventTime(this.name, time);
      return time;
    }
    const electron = this.#host.currentElectron();
    if (electron === undefined) throw new CatenaeError(ErrorCode.BadLink, `table ${this.name}: outside a handler, give the time: get(key, time), update(key, fn, time)`);
    const t = this.spec.time(electron);
    checkEventTime(this.name, t);
    return t;
  }
}
