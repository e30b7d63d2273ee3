import { CatenaeError, ErrorCode } from '@catenae/core';

/**
 * Calls a rebalance listener and waits for what it returns to settle, at most `timeoutMs`.
 * Resolves with null, with what it threw or rejected with, or with a `CATENAE_BROKER` error
 * naming `what` when the time ran out. Never rejects.
 */
export function settleListener(call: () => unknown, timeoutMs: number, what: string): Promise<Error | null> {
  let result: unknown;
  try {
    result = call();
  } catch (err) {
    return Promise.resolve(asError(err));
  }
  if (typeof (result as PromiseLike<unknown> | null)?.then !== 'function') return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve(new CatenaeError(ErrorCode.Broker, `${what} did not settle within ${timeoutMs} ms; its partitions were given up`));
    }, timeoutMs);
    (result as PromiseLike<unknown>).then(
      () => {
        clearTimeout(timer);
        resolve(null);
      },
      (err: unknown) => {
        clearTimeout(timer);
        resolve(asError(err));
      },
    );
  });
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
