import { CatenaeError, ErrorCode } from '../errors.js';
import { Electron, type Headers } from '../electron.js';
import type { InputFormat } from '../registry/link-definition.js';
import type { MessageHeader, OutgoingRecord, RawRecord } from '../transport/records.js';
import { AvroCodec } from './avro.js';
import type { Codec } from './codec.js';
import { CODEC_HEADER, INTERNAL_HEADER_PREFIX, headerValue } from './codec-header.js';
import { jsonCodec } from './json.js';
import { transparentCodec } from './transparent.js';

const BYTES_HEADERS: MessageHeader[] = [{ [CODEC_HEADER]: 'bytes' }];

/**
 * Turns electrons into records and back for one link: strings travel as raw UTF-8 with no header,
 * Buffers as raw bytes, anything else through the link's codec, named in the `catenae-codec`
 * header. Decoding follows the header, so a reader needs no configuration.
 */
export class ElectronCodec {
  readonly #codec: Codec;
  readonly #codecHeaders: MessageHeader[];
  readonly #avro: AvroCodec;
  readonly #decoders: Map<string, Codec>;
  readonly #inputFormat: InputFormat;
  readonly #avroHeaders = new Map<string, MessageHeader[]>();

  constructor(options: { codec?: string | Codec; schemas?: Record<string, object>; inputFormat?: InputFormat }) {
    this.#avro = new AvroCodec(options.schemas ?? {});
    this.#decoders = new Map<string, Codec>([
      [transparentCodec.name, transparentCodec],
      [jsonCodec.name, jsonCodec],
      [this.#avro.name, this.#avro],
    ]);
    this.#codec = this.#resolve(options.codec ?? transparentCodec.name);
    if (!this.#decoders.has(this.#codec.name)) this.#decoders.set(this.#codec.name, this.#codec);
    this.#codecHeaders = [{ [CODEC_HEADER]: this.#codec.name }];
    this.#inputFormat = options.inputFormat ?? 'string';
  }

  /**
   * Builds the record for one output. `sameBytes`: bytes a string `value` was decoded from (see
   * {@link plainBytesOf}), sent as they are instead of encoding the string again.
   * @throws CatenaeError `CATENAE_ENCODE`
   */
  encode(value: unknown, key: unknown, topic: string, headers: Headers | undefined, timestamp: number | undefined, sameBytes?: Buffer): OutgoingRecord {
    let bytes: Buffer | null;
    let codecHeaders: MessageHeader[] | undefined;
    if (typeof value === 'string') {
      bytes = sameBytes ?? Buffer.from(value, 'utf8');
    } else if (value === null || value === undefined) {
      bytes = null;
    } else if (Buffer.isBuffer(value)) {
      bytes = value;
      codecHeaders = BYTES_HEADERS;
    } else {
      bytes = this.#codec.encode(value, topic);
      codecHeaders = this.#codec === this.#avro ? this.#avroHeadersOf(topic) : this.#codecHeaders;
    }
    return {
      topic,
      partition: undefined,
      key: encodeKey(key),
      value: bytes,
      headers: headers === undefined ? codecHeaders : withUserHeaders(codecHeaders, headers),
      timestamp,
    };
  }

  /** Builds the electron of a received record. @throws CatenaeError `CATENAE_DECODE` */
  decode(record: RawRecord): Electron {
    const headers = record.headers;
    const codecName = headerValue(headers, CODEC_HEADER);
    const bytes = record.value;
    let value: unknown;
    if (bytes === null) value = null;
    else if (codecName === undefined) value = this.#decodePlain(bytes, record.topic);
    else if (codecName === 'bytes') value = bytes;
    else {
      const codec = this.#decoders.get(codecName);
      if (!codec) throw new CatenaeError(ErrorCode.Decode, `unknown codec "${codecName}" on "${record.topic}"`);
      value = codec.decode(bytes, record.topic, headers);
    }
    return new Electron({
      key: record.key === null ? null : record.key.toString('utf8'),
      value,
      topic: undefined,
      previousTopic: record.topic,
      timestamp: record.timestamp,
      headers: headers === undefined ? undefined : userHeadersOf(headers),
      partition: record.partition,
      offset: record.offset,
    });
  }

  /**
   * The bytes of a received record whose value {@link decode} turns into a string with no codec
   * (no codec header, input format `string`), or undefined. A link that emits that string
   * unchanged sends these bytes again rather than encoding it anew (a forwarding link's main cost
   * after Kafka's own; invalid UTF-8 then goes on as it came instead of as U+FFFD).
   */
  plainBytesOf(record: RawRecord): Buffer | undefined {
    if (this.#inputFormat !== 'string' || record.value === null) return undefined;
    return headerValue(record.headers, CODEC_HEADER) === undefined ? record.value : undefined;
  }

  #decodePlain(bytes: Buffer, topic: string): unknown {
    switch (this.#inputFormat) {
      case 'string':
        return bytes.toString('utf8');
      case 'bytes':
        return bytes;
      case 'json':
        return jsonCodec.decode(bytes, topic, undefined);
    }
  }

  #avroHeadersOf(topic: string): MessageHeader[] {
    let headers = this.#avroHeaders.get(topic);
    if (!headers) {
      headers = [...this.#codecHeaders, this.#avro.schemaHeader(topic)];
      this.#avroHeaders.set(topic, headers);
    }
    return headers;
  }

  #resolve(codec: string | Codec): Codec {
    if (typeof codec !== 'string') return codec;
    const found = this.#decoders.get(codec);
    if (!found) {
      throw new CatenaeError(ErrorCode.BadFlag, `--codec "${codec}" is unknown: expected transparent, json or avro`);
    }
    return found;
  }
}

function encodeKey(key: unknown): Buffer | string | null {
  if (key === null || key === undefined) return null;
  if (typeof key === 'string' || Buffer.isBuffer(key)) return key;
  return String(key);
}

function withUserHeaders(codecHeaders: MessageHeader[] | undefined, headers: Headers): MessageHeader[] {
  const all: MessageHeader[] = codecHeaders ? [...codecHeaders] : [];
  for (const name of Object.keys(headers)) all.push({ [name]: headers[name]! });
  return all;
}

function userHeadersOf(headers: MessageHeader[]): Headers | undefined {
  let user: Headers | undefined;
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i]!;
    for (const name in header) {
      if (name.startsWith(INTERNAL_HEADER_PREFIX)) continue;
      (user ??= {})[name] = header[name]!;
    }
  }
  return user;
}
