import avro from 'avsc';
import { CatenaeError, ErrorCode } from '../errors.js';
import type { MessageHeader } from '../transport/records.js';
import type { Codec } from './codec.js';
import { AVRO_SCHEMA_HEADER, headerValue } from './codec-header.js';

/**
 * Avro through avsc, one schema per topic. The writer schema travels in a header (cached by its
 * text on both sides), so a reader decodes without a schema of its own.
 */
export class AvroCodec implements Codec {
  readonly name = 'avro';
  readonly #writers = new Map<string, { type: avro.Type; header: MessageHeader }>();
  readonly #readers = new Map<string, avro.Type>();

  constructor(schemas: Record<string, object>) {
    for (const [topic, schema] of Object.entries(schemas)) {
      let type: avro.Type;
      try {
        type = avro.Type.forSchema(schema as avro.Schema);
      } catch (err) {
        throw new CatenaeError(ErrorCode.BadFlag, `the Avro schema of "${topic}" is invalid: ${(err as Error).message}`);
      }
      this.#writers.set(topic, { type, header: { [AVRO_SCHEMA_HEADER]: JSON.stringify(type.schema()) } });
    }
  }

  /** The header carrying the writer schema of `topic`. */
  schemaHeader(topic: string): MessageHeader {
    return this.#writer(topic).header;
  }

  encode(value: unknown, topic: string): Buffer {
    const { type } = this.#writer(topic);
    try {
      return type.toBuffer(value);
    } catch (err) {
      throw new CatenaeError(ErrorCode.Encode, `value for "${topic}" does not match its Avro schema: ${(err as Error).message}`);
    }
  }

  decode(bytes: Buffer, topic: string, headers: MessageHeader[] | undefined): unknown {
    const schemaText = headerValue(headers, AVRO_SCHEMA_HEADER);
    if (schemaText === undefined) throw new CatenaeError(ErrorCode.Decode, `Avro message on "${topic}" carries no schema header`);
    let type = this.#readers.get(schemaText);
    try {
      if (!type) {
        type = avro.Type.forSchema(JSON.parse(schemaText));
        this.#readers.set(schemaText, type);
      }
      return toPlain(type.fromBuffer(bytes));
    } catch (err) {
      throw new CatenaeError(ErrorCode.Decode, `undecodable Avro on "${topic}": ${(err as Error).message}`, { cause: err });
    }
  }

  #writer(topic: string) {
    const writer = this.#writers.get(topic);
    if (!writer) throw new CatenaeError(ErrorCode.Encode, `no Avro schema for topic "${topic}": add it to the link's schemas`);
    return writer;
  }
}

/** avsc decodes records as instances of generated classes; links get plain objects, as they sent. */
function toPlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map(toPlain);
  const plain: Record<string, unknown> = {};
  for (const key of Object.keys(value)) plain[key] = toPlain((value as Record<string, unknown>)[key]);
  return plain;
}
