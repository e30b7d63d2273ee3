import type { TableKey } from './keyed-table.js';
import type { TimeWindow } from './window-entry.js';

/**
 * A windowed table of a link: values per key and window of event time (tumbling, hopping or
 * session windows), sharded like the input as a {@link KeyedTable} is. Stream time moves per
 * partition with the largest event time seen; a window closes once stream time passes its end
 * plus its grace, and `@WindowClosed` handlers then run once for it.
 * @publicApi
 */
export interface WindowedTable<K extends TableKey = string, V = unknown> extends Iterable<[K, TimeWindow, V]> {
  readonly name: string;
  /**
   * The value of `key` in the window holding `time` (default: the event time of the electron
   * being handled): for hopping windows the latest such window, for sessions the one holding it.
   */
  get(key: K, time?: number): V | undefined;
  /** Sets the value of `key` in every open window holding `time` (default: the electron's event time). */
  set(key: K, value: V, time?: number): this;
  /**
   * Replaces the value of `key` in every open window holding `time` (default: the electron's event
   * time) with `fn(value, window)`: how a handler aggregates. Session windows an electron joins are
   * merged first (`window.merge`). Windows already closed are left alone; an electron that fell
   * only in closed windows is late (see `window.late`).
   */
  update(key: K, fn: (value: V | undefined, window: TimeWindow) => V, time?: number): this;
  /** Removes `key` from the open windows holding `time`; returns whether one had a value. */
  delete(key: K, time?: number): boolean;
  /** The windows of `key` that overlap [from, to), oldest first, with their values. */
  range(key: K, from: number, to: number): [TimeWindow, V][];
  /** Whether the electron being handled (or `time`) is too late for every window it falls in. */
  isLate(time?: number): boolean;
  /** The stream time of the partition of the electron being handled (or of `key`'s partition). */
  streamTime(key?: K): number;
  /** Every window this instance holds, open or closed (kept until `retention`): [key, window, value]. */
  entries(): IterableIterator<[K, TimeWindow, V]>;
  /** Windows this instance holds. */
  readonly size: number;
}

