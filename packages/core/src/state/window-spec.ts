import { CatenaeError, ErrorCode } from '../errors.js';
import type { Electron } from '../electron.js';
import type { WindowOptions } from '../registry/link-definition.js';
import { durationMs } from './durations.js';

/** The kinds of window a windowed table cuts event time into. */
export type WindowKind = 'tumbling' | 'hopping' | 'session';

/** A windowed table's windows, resolved and checked once at start (milliseconds throughout). */
export interface WindowSpec {
  kind: WindowKind;
  /** Window length (tumbling, hopping); 0 for sessions. */
  size: number;
  /** Distance between window starts (hopping; `size` when tumbling). */
  advance: number;
  /** Sessions: the inactivity that ends one. */
  gap: number;
  grace: number;
  /** How long after its end a window is kept (at least `grace`). */
  retention: number;
  /** Wall-clock idleness after which a partition's stream time follows the clock (0: never). */
  idleClose: number;
  late: 'drop' | 'topic';
  time: (electron: Electron<any, any>) => number;
  merge: ((a: any, b: any) => any) | undefined;
}

/**
 * Resolves `@Table({ window })`: tumbling with `size`, hopping with `size` and `advance`,
 * sessions with `gap` (and `merge`).
 * @throws CatenaeError `CATENAE_BAD_LINK` naming the table and what is wrong.
 */
export function resolveWindowSpec(table: string, options: WindowOptions): WindowSpec {
  const what = (field: string) => `table ${table}: window.${field}`;
  const bad = (message: string): never => {
    throw new CatenaeError(ErrorCode.BadLink, `table ${table}: ${message}`);
  };
  const grace = options.grace === undefined ? 0 : durationMs(options.grace, what('grace'));
  const idleClose = options.idleClose === undefined ? 0 : durationMs(options.idleClose, what('idleClose'));
  const late = options.late ?? 'drop';
  if (late !== 'drop' && late !== 'topic') bad(`window.late is "${String(late)}": expected "drop" or "topic"`);
  const time = options.time ?? eventTimeOf;
  let kind: WindowKind;
  let size = 0;
  let advance = 0;
  let gap = 0;
  if (options.gap !== undefined) {
    if (options.size !== undefined || options.advance !== undefined) bad('a window has either a gap (sessions) or a size (tumbling, hopping), not both');
    gap = durationMs(options.gap, what('gap'));
    if (gap <= 0) bad('window.gap must be above 0');
    if (typeof options.merge !== 'function') bad('session windows need window.merge(a, b): how two sessions an electron joins become one value');
    kind = 'session';
  } else {
    if (options.size === undefined) bad('a window needs a size (tumbling, hopping) or a gap (sessions)');
    size = durationMs(options.size!, what('size'));
    if (size <= 0) bad('window.size must be above 0');
    advance = options.advance === undefined ? size : durationMs(options.advance, what('advance'));
    if (advance <= 0 || advance > size) bad(`window.advance must be above 0 and at most the size (${size} ms)`);
    kind = advance === size ? 'tumbling' : 'hopping';
  }
  const length = kind === 'session' ? gap : size;
  const retention = options.retention === undefined ? grace + length : durationMs(options.retention, what('retention'));
  if (retention < grace) bad(`window.retention (${retention} ms) must be at least its grace (${grace} ms): a window is kept until it closes`);
  return { kind, size, advance, gap, grace, retention, idleClose, late, time, merge: options.merge };
}

function eventTimeOf(electron: Electron<any, any>): number {
  return electron.timestamp ?? Number.NaN;
}
