import { isCatenaeError, type ErrorCode } from '../errors.js';

/** An error's cause as a JSON log line carries it. */
export interface CauseFields {
  error: string;
  code?: string;
  stack?: string;
  cause?: CauseFields;
}

/**
 * The log fields of an error: a `CatenaeError`'s `details` (`topic`, `partition`, `offset`, ...),
 * `code` (its Catenae code, else the caller's classification), `error` (one line), `stack`, and
 * `cause` (the chain of `Error.cause`, each with its own stack). JSON logs carry them as
 * properties; pretty logs print the stack at debug level.
 */
export interface ErrorFields {
  [detail: string]: unknown;
  code: string | undefined;
  error: string;
  stack: string | undefined;
  cause?: CauseFields;
}

// A cause chain deeper than this is cut: a cycle, or wrapping gone wild.
const MAX_CAUSES = 5;

/** The log fields of `err` (see {@link ErrorFields}). */
export function errorFields(err: unknown, defaultCode?: ErrorCode): ErrorFields {
  const code = isCatenaeError(err) ? err.code : defaultCode;
  const fields: ErrorFields = { ...(isCatenaeError(err) ? err.details : undefined), code, error: oneLine(err), stack: err instanceof Error ? err.stack : undefined };
  const cause = causeFields(err, 0);
  if (cause) fields.cause = cause;
  return fields;
}

function causeFields(err: unknown, depth: number): CauseFields | undefined {
  if (!(err instanceof Error) || err.cause === undefined || depth >= MAX_CAUSES) return undefined;
  const cause = err.cause;
  const fields: CauseFields = { error: oneLine(cause) };
  const code = codeOf(cause);
  if (code !== undefined) fields.code = code;
  if (cause instanceof Error && cause.stack) fields.stack = cause.stack;
  const next = causeFields(cause, depth + 1);
  if (next) fields.cause = next;
  return fields;
}

/**
 * The stack of `err` followed by its causes' (`[cause] ...`), as text; undefined when it has
 * none. For pretty logs at debug level and the `catenae-error-stack` dead-letter header.
 */
export function stackTrace(err: unknown): string | undefined {
  if (!(err instanceof Error) || !err.stack) return undefined;
  const parts = [err.stack];
  let cause: unknown = err.cause;
  for (let depth = 0; cause !== undefined && depth < MAX_CAUSES; depth++) {
    parts.push(`[cause] ${cause instanceof Error && cause.stack ? cause.stack : oneLine(cause)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join('\n');
}

/** `Name: message`, first line only, for anything thrown. */
function oneLine(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const newline = text.indexOf('\n');
  return newline < 0 ? text : text.slice(0, newline);
}

function codeOf(err: unknown): string | undefined {
  if (isCatenaeError(err)) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
