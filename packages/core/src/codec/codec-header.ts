import type { MessageHeader } from '../transport/records.js';

/** The header naming the codec of a message's value. Absent: the value is a UTF-8 string. */
export const CODEC_HEADER = 'catenae-codec';
/** The header carrying an Avro writer schema (JSON), so readers need no configuration. */
export const AVRO_SCHEMA_HEADER = 'catenae-avro-schema';
/** Headers Catenae writes for itself start with this; they are not shown in `Electron.headers`. */
export const INTERNAL_HEADER_PREFIX = 'catenae-';

/** The value of header `name`, or undefined. Header arrays are short: a scan beats a map. */
export function headerValue(headers: MessageHeader[] | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (let i = 0; i < headers.length; i++) {
    const value = headers[i]![name];
    if (value !== undefined) return typeof value === 'string' ? value : value.toString('utf8');
  }
  return undefined;
}
