import { CatenaeError, ErrorCode } from '../errors.js';
import type { MessageHeader } from '../transport/records.js';
import type { TableKey } from './keyed-table.js';
import type { TableCodec } from './table-codec.js';
import { CODEC_HEADER } from '../codec/codec-header.js';

/** A window of event time: from `start` (included) to `end` (excluded), in milliseconds. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** What a windowed table stores per (key, window): the value, the window's end, whether it closed. */
export interface WindowEntry {
  value: unknown;
  end: number;
  closed: boolean;
}

export { STREAM_TIME_KEY } from './table-key.js';

const START_DIGITS = 16;
const MAX_TIME = 10 ** START_DIGITS;

/**
 * The shard key of one window of one key: a type tag, the key, NUL, and the window start as 16
 * decimal digits, so the changelog compacts per window and a store sorts a key's windows by start.
 */
export function windowKeyOf(key: TableKey, start: number): string {
  const tag = typeof key === 'string' ? 's' : 'n';
  return `${tag}${key}\u0000${String(start).padStart(START_DIGITS, '0')}`;
}

/** The key and window start of a window's shard key, or undefined for the runtime's own entries. */
export function parseWindowKey(windowKey: string): { key: TableKey; start: number } | undefined {
  if (windowKey.startsWith('\u0000')) return undefined;
  const nul = windowKey.lastIndexOf('\u0000');
  const text = windowKey.slice(1, nul);
  return { key: windowKey[0] === 'n' ? Number(text) : text, start: Number(windowKey.slice(nul + 1)) };
}

/** @throws CatenaeError `CATENAE_HANDLER` for an event time that is not a time. */
export function checkEventTime(table: string, time: number): void {
  if (Number.isInteger(time) && time >= 0 && time < MAX_TIME) return;
  throw new CatenaeError(ErrorCode.Handler, `table ${table}: event time ${time} is not a time in milliseconds (window.time(electron), or the electron's timestamp)`);
}

// The stored form: a flags byte (bit 0: closed), the end as a float64, then the value's codec bytes.
const HEADER_BYTES = 9;

/** Encodes {@link WindowEntry}s for the changelog and the local store, the value by the table's codec. */
export class WindowEntryCodec {
  readonly topic: string;
  readonly headers: MessageHeader[];
  readonly #values: TableCodec;

  constructor(values: TableCodec) {
    this.#values = values;
    this.topic = values.topic;
    // The bytes are not the value codec's alone: named apart, so a generic reader refuses them
    // instead of misreading them.
    this.headers = values.headers.map((header) => (CODEC_HEADER in header ? { [CODEC_HEADER]: `window/${String(header[CODEC_HEADER])}` } : header));
  }

  encode(entry: unknown): Buffer {
    const { value, end, closed } = entry as WindowEntry;
    const bytes = this.#values.encode(value);
    const out = Buffer.allocUnsafe(HEADER_BYTES + bytes.length);
    out[0] = closed ? 1 : 0;
    out.writeDoubleBE(end, 1);
    bytes.copy(out, HEADER_BYTES);
    return out;
  }

  decode(bytes: Buffer): WindowEntry {
    if (bytes.length < HEADER_BYTES) throw new CatenaeError(ErrorCode.Decode, `a window of "${this.topic}" has ${bytes.length} bytes, fewer than its header`);
    return { closed: (bytes[0]! & 1) === 1, end: bytes.readDoubleBE(1), value: this.#values.decode(bytes.subarray(HEADER_BYTES)) };
  }
}
