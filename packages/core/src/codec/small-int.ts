import { serialize } from 'node:v8';

// V8 writes a small integer as its header (0xFF, format version) then 'I' and the zigzag varint
// of the value. v8.serialize builds a Serializer per call (about 1 µs); counts and ids are the
// commonest table values and outputs, so they are written here directly, byte for byte as V8
// would (checked against v8.serialize by the codec tests). Only values V8 stores as 'I' on every
// platform (31-bit Smis) take this path.
const HEADER = serialize(0).subarray(0, 2);
const INT_TAG = 0x49;
const LIMIT = 2 ** 30;

/** Whether `value` is an integer V8 serializes as a small integer ('I'). */
export function isSmallInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= -LIMIT && value < LIMIT && !Object.is(value, -0);
}

/** `v8.serialize(value)` for a small integer, without a Serializer. */
export function serializeSmallInt(value: number): Buffer {
  let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
  let length = 1;
  for (let rest = zigzag >>> 7; rest > 0; rest >>>= 7) length++;
  const bytes = Buffer.allocUnsafe(3 + length);
  bytes[0] = HEADER[0]!;
  bytes[1] = HEADER[1]!;
  bytes[2] = INT_TAG;
  for (let i = 3; i < 3 + length; i++) {
    bytes[i] = (zigzag & 0x7f) | (i < 2 + length ? 0x80 : 0);
    zigzag >>>= 7;
  }
  return bytes;
}

/** The small integer V8 bytes hold, or undefined when they hold something else (use v8.deserialize). */
export function deserializeSmallInt(bytes: Buffer): number | undefined {
  const length = bytes.length;
  if (length < 4 || length > 8 || bytes[0] !== HEADER[0] || bytes[1] !== HEADER[1] || bytes[2] !== INT_TAG) return undefined;
  let zigzag = 0;
  let shift = 0;
  for (let i = 3; i < length; i++) {
    const byte = bytes[i]!;
    zigzag += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) {
      if (i !== length - 1) return undefined;
      return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    }
  }
  return undefined;
}
