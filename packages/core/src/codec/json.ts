import { CatenaeError, ErrorCode } from '../errors.js';
import type { Codec } from './codec.js';

/** JSON, readable by any client; Map, Set, BigInt and Date do not survive it (use the default codec). */
export const jsonCodec: Codec = {
  name: 'json',
  encode(value, topic) {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      throw new CatenaeError(ErrorCode.Encode, `cannot encode a value for "${topic}" as JSON: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (text === undefined) throw new CatenaeError(ErrorCode.Encode, `cannot encode ${typeof value} for "${topic}" as JSON`);
    return Buffer.from(text, 'utf8');
  },
  decode(bytes, topic) {
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new CatenaeError(ErrorCode.Decode, `undecodable JSON on "${topic}": ${(err as Error).message}`, { cause: err });
    }
  },
};
