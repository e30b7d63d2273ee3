import { CatenaeError, ErrorCode } from '@catenae/core';

/** The first line of an error's message, whitespace collapsed: a store error stays one line. */
export function causeLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, ' ').trim() || 'unknown error';
}

/** A `CATENAE_STORE` error: `<what>: <cause>`, the driver's error kept as `cause`. */
export function storeError(what: string, cause?: unknown): CatenaeError {
  return new CatenaeError(ErrorCode.Store, cause === undefined ? what : `${what}: ${causeLine(cause)}`, cause === undefined ? undefined : { cause });
}
