import { CatenaeError, ErrorCode } from '../errors.js';
import type { TableKey } from './keyed-table.js';

// A number key's changelog bytes start with 0xFF, a byte valid UTF-8 never contains, so the key 5
// and the key "5" stay two keys after compaction.
const NUMBER_MARK = 0xff;

/** Keys of the runtime's own entries in a shard start with NUL; a table refuses them from users. */
export const RESERVED_KEY_PREFIX = '\u0000';
/** The input offsets a shard's changelog reflects (see LinkTables.emitTo). */
export const OFFSETS_KEY = '\u0000offsets';
/** A windowed table's stream time in a shard. */
export const STREAM_TIME_KEY = '\u0000stream-time';
const RESERVED_KEYS = [OFFSETS_KEY, STREAM_TIME_KEY];

/** How many of the runtime's own entries a shard holds. */
export function reservedEntriesOf(shard: { has(key: TableKey): boolean }): number {
  let n = 0;
  for (const key of RESERVED_KEYS) if (shard.has(key)) n++;
  return n;
}

/** Whether `key` is one of the runtime's own entries. */
export function isReservedKey(key: TableKey): boolean {
  return typeof key === 'string' && key.startsWith(RESERVED_KEY_PREFIX);
}

/** @throws CatenaeError `CATENAE_ENCODE` unless `key` is a string (not starting with NUL) or a finite number. */
export function checkTableKey(table: string, key: unknown): asserts key is TableKey {
  if (typeof key === 'string' && !key.startsWith(RESERVED_KEY_PREFIX)) return;
  if (typeof key === 'number' && Number.isFinite(key)) return;
  if (typeof key === 'string') throw new CatenaeError(ErrorCode.Encode, `table ${table}: keys starting with NUL (\\u0000) are the runtime's own`);
  throw new CatenaeError(ErrorCode.Encode, `table ${table}: a key must be a string or a finite number, got ${describe(key)}`);
}

/** The changelog record key of a table key. */
export function encodeTableKey(key: TableKey): Buffer {
  if (typeof key === 'string') return Buffer.from(key, 'utf8');
  const bytes = Buffer.allocUnsafe(9);
  bytes[0] = NUMBER_MARK;
  bytes.writeDoubleBE(key, 1);
  return bytes;
}

/** The table key of a changelog record key. */
export function decodeTableKey(bytes: Buffer): TableKey {
  if (bytes.length === 9 && bytes[0] === NUMBER_MARK) return bytes.readDoubleBE(1);
  return bytes.toString('utf8');
}

/** The bytes a keyed electron with this key is partitioned by (electron keys travel as text). */
export function partitionBytesOf(key: TableKey): Buffer {
  return Buffer.from(typeof key === 'string' ? key : String(key), 'utf8');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  return typeof value;
}
