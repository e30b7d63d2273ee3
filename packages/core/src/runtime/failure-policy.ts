import { isCatenaeError, ErrorCode } from '../errors.js';
import type { OnError } from '../registry/link-definition.js';
import type { MessageHeader, OutgoingRecord, RawRecord, TopicSpec } from '../transport/records.js';

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

/** The dead letter of a record: the original bytes on `<topic>.dlq`, with the error and the source in headers. */
export function deadLetterOf(record: RawRecord, err: unknown, linkName: string): OutgoingRecord {
  const headers: MessageHeader[] = record.headers ? [...record.headers] : [];
  headers.push(
    { 'catenae-error': errorMessage(err) },
    { 'catenae-error-code': isCatenaeError(err) ? err.code : ErrorCode.Handler },
    { 'catenae-source-topic': record.topic },
    { 'catenae-source-partition': String(record.partition) },
    { 'catenae-source-offset': String(record.offset) },
    { 'catenae-link': linkName },
  );
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

/** One line describing an error thrown by user code. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
