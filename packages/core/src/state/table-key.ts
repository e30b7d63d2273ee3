import { CatenaeError, ErrorCode } from '../errors.js';
import type { TableKey } from './keyed-table.js';

// A number key's changelog bytes start with 0xFF, a byte valid UTF-8 never contains, so the key 5
// and the key "5" stay two keys after compaction.
const NUMBER_MARK = 0xff;

/** @throws CatenaeError `CATENAE_ENCODE` unless `key` is a string or a finite number. */
export function checkTableKey(table: string, key: unknown): asserts key is TableKey {
  if (typeof key === 'string' || (typeof key === 'number' && Number.isFinite(key))) return;
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
