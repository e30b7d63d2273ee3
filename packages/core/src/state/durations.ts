import { CatenaeError, ErrorCode } from '../errors.js';
import type { Duration } from '../registry/link-definition.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;

/**
 * Milliseconds of a duration: a number of milliseconds, or a string such as `'500ms'`, `'30s'`,
 * `'5m'`, `'1h'`, `'1d'`.
 * @throws CatenaeError `CATENAE_BAD_LINK` naming `what` for anything else, or a negative value.
 */
export function durationMs(value: Duration, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const match = PATTERN.exec(value);
    if (match) return Number(match[1]) * UNITS[match[2]!]!;
  }
  throw new CatenaeError(ErrorCode.BadLink, `${what} is ${JSON.stringify(value)}: expected milliseconds or a duration like '500ms', '30s', '5m', '1h', '1d'`);
}
