import { CatenaeError, ErrorCode } from '../errors.js';

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
  if (!isThenable(result)) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve(new CatenaeError(ErrorCode.Broker, `${what} did not settle within ${timeoutMs} ms; its partitions were given up`));
    }, timeoutMs);
    result.then(
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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
