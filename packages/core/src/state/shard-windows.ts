import type { TableKey } from './keyed-table.js';
import { WindowHeap } from './window-heap.js';

/** The windows a shard holds, indexed by close and drop time; rebuilt from the shard on activation. */
export class ShardWindows {
  streamTime = -1;
  /** Wall-clock time of the partition's last electron, and the stream time then (for idle closes). */
  lastEventWall: number;
  streamTimeAtLastEvent = -1;
  readonly heap = new WindowHeap();
  /** Session tables: each key's session starts, sorted. */
  readonly sessions = new Map<TableKey, number[]>();

  constructor(now: number) {
    this.lastEventWall = now;
  }
}

/** Adds `start` to `key`'s sorted session starts. */
export function insertSorted(index: Map<TableKey, number[]>, key: TableKey, start: number): void {
  let starts = index.get(key);
  if (starts === undefined) index.set(key, (starts = []));
  let i = starts.length;
  while (i > 0 && starts[i - 1]! > start) i--;
  if (starts[i - 1] !== start) starts.splice(i, 0, start);
}

/** Removes `start` from `key`'s session starts. */
export function removeSorted(index: Map<TableKey, number[]>, key: TableKey, start: number): void {
  const starts = index.get(key);
  if (starts === undefined) return;
  const i = starts.indexOf(start);
  if (i >= 0) starts.splice(i, 1);
  if (starts.length === 0) index.delete(key);
}
