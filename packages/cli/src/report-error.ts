import { CatenaeError } from '@catenae/core';

/**
 * Prints an error as one line, `catenae: <message> (<code>)`, and the stack only when asked
 * (`--log-level debug` or `CATENAE_LOG_LEVEL=debug`).
 */
export function reportError(err: unknown, showStack: boolean): void {
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  const code = err instanceof CatenaeError ? ` (${err.code})` : '';
  process.stderr.write(`catenae: ${message}${code}\n`);
  if (showStack && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
}
