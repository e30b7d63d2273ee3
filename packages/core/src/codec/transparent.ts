import { deserialize, serialize } from 'node:v8';
import { CatenaeError, ErrorCode } from '../errors.js';
import type { Codec } from './codec.js';
import { deserializeSmallInt, isSmallInt, serializeSmallInt } from './small-int.js';

/**
 * The default codec: V8's structured-clone format, so Map, Set, Date, BigInt, typed arrays,
 * RegExp, Error and nested objects (cycles too) round-trip exactly between Node links.
 * Class instances arrive as plain objects; functions and symbols cannot be sent.
 */
export const transparentCodec: Codec = {
  name: 'transparent',
  encode(value, topic) {
    if (isSmallInt(value)) return serializeSmallInt(value);
    try {
      return serialize(value);
    } catch (err) {
      throw new CatenaeError(ErrorCode.Encode, `cannot encode a value for "${topic}": ${(err as Error).message}`, {
        cause: err,
      });
    }
  },
  decode(bytes, topic) {
    const small = deserializeSmallInt(bytes);
    if (small !== undefined) return small;
    try {
      return deserialize(bytes);
    } catch (err) {
      throw new CatenaeError(ErrorCode.Decode, `undecodable transparent value on "${topic}": ${(err as Error).message}`, {
        cause: err,
      });
    }
  },
};
