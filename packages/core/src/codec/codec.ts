import type { MessageHeader } from '../transport/records.js';

/**
 * Turns values into bytes and back. The codec's `name` travels in the `catenae-codec` header,
 * so a reader picks the right codec without configuration.
 * @publicApi
 */
export interface Codec {
  readonly name: string;
  /** Encodes a value bound for `topic`; throws a `CATENAE_ENCODE` error if it cannot. */
  encode(value: unknown, topic: string): Buffer;
  /** Decodes bytes read from `topic`; throws a `CATENAE_DECODE` error if it cannot. */
  decode(bytes: Buffer, topic: string, headers: MessageHeader[] | undefined): unknown;
}
