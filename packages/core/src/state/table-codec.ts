import { AvroCodec } from '../codec/avro.js';
import type { Codec } from '../codec/codec.js';
import { CODEC_HEADER } from '../codec/codec-header.js';
import { jsonCodec } from '../codec/json.js';
import { transparentCodec } from '../codec/transparent.js';
import { CatenaeError, ErrorCode } from '../errors.js';
import type { TableSpec } from '../registry/link-definition.js';
import type { MessageHeader } from '../transport/records.js';

/**
 * How one table's values become changelog bytes and back: every value through one codec (the
 * table's, else the link's), named in the changelog records' headers, so the bytes in a local
 * store need no header of their own.
 */
export class TableCodec {
  readonly topic: string;
  readonly headers: MessageHeader[];
  readonly #codec: Codec;
  /** Whether every string, finite number and boolean encodes (the built-in text codecs): those need no trial. */
  readonly #takesPrimitives: boolean;

  /** @throws CatenaeError `CATENAE_BAD_LINK` for an unknown codec, or Avro without a schema. */
  constructor(spec: TableSpec, topic: string, linkCodec: string | Codec, linkSchemas: Record<string, object>, linkName: string) {
    this.topic = topic;
    const chosen = spec.options.codec ?? linkCodec;
    if (typeof chosen !== 'string') {
      this.#codec = chosen;
      this.headers = [{ [CODEC_HEADER]: chosen.name }];
      this.#takesPrimitives = false;
      return;
    }
    if (chosen === 'avro') {
      const schema = spec.options.schema ?? linkSchemas[topic];
      if (schema === undefined) {
        throw new CatenaeError(ErrorCode.BadLink, `link ${linkName}: table ${spec.name} uses the avro codec but has no schema: @Table({ schema })`);
      }
      const avro = new AvroCodec({ [topic]: schema });
      this.#codec = avro;
      this.headers = [{ [CODEC_HEADER]: avro.name }, avro.schemaHeader(topic)];
      this.#takesPrimitives = false;
      return;
    }
    const codec = chosen === transparentCodec.name ? transparentCodec : chosen === jsonCodec.name ? jsonCodec : undefined;
    if (codec === undefined) throw new CatenaeError(ErrorCode.BadLink, `link ${linkName}: table ${spec.name} names codec "${chosen}": expected transparent, json or avro`);
    this.#codec = codec;
    this.headers = [{ [CODEC_HEADER]: codec.name }];
    this.#takesPrimitives = true;
  }

  /** @throws CatenaeError `CATENAE_ENCODE` */
  encode(value: unknown): Buffer {
    return this.#codec.encode(value, this.topic);
  }

  /** @throws CatenaeError `CATENAE_DECODE` */
  decode(bytes: Buffer): unknown {
    return this.#codec.decode(bytes, this.topic, this.headers);
  }

  /**
   * Checks that `value` can be encoded, as a handler's write is before it counts: a primitive the
   * codec always takes is not tried (an Avro schema or a user's codec may refuse any value).
   * @throws CatenaeError `CATENAE_ENCODE`
   */
  validate(value: unknown): void {
    const type = typeof value;
    if (this.#takesPrimitives && (type === 'string' || type === 'boolean' || (type === 'number' && Number.isFinite(value)))) return;
    this.encode(value);
  }
}

/** The changelog topic of a table: `<consumer group>.<table>.changelog` (a group's other characters as `_`). */
export function changelogTopic(group: string, table: string): string {
  return `${group.replace(/[^A-Za-z0-9._-]/g, '_')}.${table}.changelog`;
}
