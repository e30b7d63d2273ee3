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
  /** Set on a shard's stream-time entry: its value is a time, whatever the table's values are. */
  isStreamTime?: true;
}

/** A shard's stream-time entry (stored under `STREAM_TIME_KEY`). */
export function streamTimeEntry(time: number): WindowEntry {
  return { value: time, end: 0, closed: false, isStreamTime: true };
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

// The stored form: a flags byte (bit 0: closed, bit 1: a stream time), the end as a float64, then
// the value's codec bytes, or for a stream time the time as a float64 (no codec of the table's
// values, an Avro record schema say, could hold it).
const HEADER_BYTES = 9;
const CLOSED = 1;
const STREAM_TIME = 2;

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
    const { value, end, closed, isStreamTime } = entry as WindowEntry;
    if (isStreamTime === true) {
      const out = Buffer.allocUnsafe(HEADER_BYTES + 8);
      out[0] = STREAM_TIME;
      out.writeDoubleBE(end, 1);
      out.writeDoubleBE(value as number, HEADER_BYTES);
      return out;
    }
    const bytes = this.#values.encode(value);
    const out = Buffer.allocUnsafe(HEADER_BYTES + bytes.length);
    out[0] = closed ? CLOSED : 0;
    out.writeDoubleBE(end, 1);
    bytes.copy(out, HEADER_BYTES);
    return out;
  }

  decode(bytes: Buffer): WindowEntry {
    if (bytes.length < HEADER_BYTES) throw new CatenaeError(ErrorCode.Decode, `a window of "${this.topic}" has ${bytes.length} bytes, fewer than its header`);
    if ((bytes[0]! & STREAM_TIME) !== 0) return streamTimeEntry(bytes.readDoubleBE(HEADER_BYTES));
    return { closed: (bytes[0]! & CLOSED) === CLOSED, end: bytes.readDoubleBE(1), value: this.#values.decode(bytes.subarray(HEADER_BYTES)) };
  }

  /** @throws CatenaeError `CATENAE_ENCODE` when the entry's value cannot be encoded. */
  validate(entry: unknown): void {
    const { value, isStreamTime } = entry as WindowEntry;
    if (isStreamTime !== true) this.#values.validate(value);
  }
}
