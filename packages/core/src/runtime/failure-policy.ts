import { CatenaeError, isCatenaeError, ErrorCode } from '../errors.js';
import type { OnError } from '../registry/link-definition.js';
import type { MessageHeader, OutgoingRecord, RawRecord, TopicSpec } from '../transport/records.js';
import { DeadLetterHeader } from './dead-letter-header.js';
import { errorFields, stackTrace, type ErrorFields } from './error-fields.js';

/** The `catenae-error-stack` header of a dead letter is cut to this many bytes: headers travel with every copy of the record. */
export const MAX_STACK_HEADER_BYTES = 4096;

/** What to do with an electron whose handler failed. */
export type FailureAction = 'retry' | 'dead-letter' | 'skip' | 'stop';

/** Retries and where failures go, as `--on-error`, `--retries` and `--retry-backoff-ms` say. */
export class FailurePolicy {
  readonly onError: OnError;
  readonly #retries: number;
  readonly #backoffMs: number;

  constructor(onError: OnError, retries: number, backoffMs: number) {
    this.onError = onError;
    this.#retries = retries;
    this.#backoffMs = backoffMs;
  }

  /**
   * The action for a failure at `attempt` (0 for the first call). Failures a retry cannot mend
   * (undecodable input, an unencodable output, no output topic) are never retried.
   */
  decide(err: unknown, attempt: number): FailureAction {
    if (this.onError === 'exit') return 'stop';
    if (this.onError === 'skip') return 'skip';
    if (attempt < this.#retries && !isDeterministic(err)) return 'retry';
    return 'dead-letter';
  }

  /** Exponential backoff before retry number `attempt + 1`. */
  backoffMs(attempt: number): number {
    return this.#backoffMs * 2 ** attempt;
  }
}

function isDeterministic(err: unknown): boolean {
  return isCatenaeError(err, ErrorCode.Decode) || isCatenaeError(err, ErrorCode.Encode) || isCatenaeError(err, ErrorCode.NoOutput);
}

/**
 * The dead letter of a record: the original bytes on `<topic>.dlq`, with the error, its code, its
 * stack (and its causes', cut to {@link MAX_STACK_HEADER_BYTES}) and the source in headers.
 */
export function deadLetterOf(record: RawRecord, err: unknown, linkName: string): OutgoingRecord {
  const headers: MessageHeader[] = record.headers ? [...record.headers] : [];
  headers.push(
    { [DeadLetterHeader.Error]: errorMessage(err) },
    { [DeadLetterHeader.ErrorCode]: failureCode(err) },
    { [DeadLetterHeader.SourceTopic]: record.topic },
    { [DeadLetterHeader.SourcePartition]: String(record.partition) },
    { [DeadLetterHeader.SourceOffset]: String(record.offset) },
    { [DeadLetterHeader.Link]: linkName },
  );
  const stack = stackTrace(err);
  if (stack !== undefined) headers.push({ [DeadLetterHeader.ErrorStack]: truncateUtf8(stack, MAX_STACK_HEADER_BYTES) });
  return { topic: `${record.topic}.dlq`, partition: undefined, key: record.key, value: record.value, headers, timestamp: record.timestamp };
}

/**
 * The dead-letter topics of `inputs` under `--on-error dlq`, for the link to create when it starts:
 * replicated like its other topics, and there on clusters that do not create topics on first use
 * (`auto.create.topics.enable=false`). Kafka names hold 249 characters at most: an input too long
 * for its `.dlq` gets none here (its dead letters fail to deliver, as they always did).
 */
export function deadLetterTopics(inputs: readonly string[], onError: OnError): TopicSpec[] {
  if (onError !== 'dlq') return [];
  return inputs.map((topic) => ({ topic: `${topic}.dlq` })).filter(({ topic }) => topic.length <= 249);
}

/** The log fields of an electron's failure: where it came from (`topic`, `partition`, `offset`) and the error's. */
export function failureFields(record: RawRecord, err: unknown): ErrorFields {
  return { topic: record.topic, partition: record.partition, offset: record.offset, ...errorFields(err, ErrorCode.Handler) };
}

/**
 * The error that stops a link on an electron's failure (`--on-error exit`): the failure's own code
 * (`CATENAE_HANDLER` for what user code threw), the electron's place in `details`, the error as cause.
 */
export function fatalFailureOf(record: RawRecord, err: unknown): CatenaeError {
  const where = `${record.topic}[${record.partition}]@${record.offset}`;
  return new CatenaeError(failureCode(err), `electron ${where} failed and --on-error is exit: ${errorMessage(err)}`, {
    cause: err,
    details: { topic: record.topic, partition: record.partition, offset: record.offset },
  });
}

function failureCode(err: unknown): ErrorCode {
  return isCatenaeError(err) ? err.code : ErrorCode.Handler;
}

/** `text` cut to at most `maxBytes` of UTF-8, on a character boundary, marked when cut. */
function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const marker = '\n... (cut)';
  let end = maxBytes - Buffer.byteLength(marker);
  // Back off continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8') + marker;
}

/** One line describing an error thrown by user code. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
