import { causeLine, storeError } from './store-error.js';

/** The longest single attempt; an attempt also takes at most a third of the bound, so even a short bound retries. */
const MAX_ATTEMPT_MS = 5_000;
/** The shortest attempt worth making, and the least time left to start one. */
const MIN_ATTEMPT_MS = 250;
/** The pause after an attempt that failed fast (connection refused), so retries do not spin. */
const PAUSE_MS = 500;

/** How {@link connectWithRetries} reaches one store. */
export interface ConnectAttempts<T> {
  /** The store and its hosts, for messages: `MongoDB at 127.0.0.1:27017`. */
  what: string;
  timeoutMs: number;
  logger: { warn(message: string): void };
  /** One connection attempt that may take `attemptMs`; it releases what it opened when it fails. */
  attempt(attemptMs: number): Promise<T>;
  /** Whether a failure may pass (a server down or starting); any other failure is final at once. */
  isUnreachable(err: unknown): boolean;
}

/**
 * Runs connection attempts (each at most 5 s and a third of `timeoutMs`) until one succeeds or `timeoutMs` has passed,
 * logging each retried failure as a warning.
 * @throws CatenaeError `CATENAE_STORE`: `cannot reach <what> within N s: <reason>`, or
 * `cannot connect to <what>: <reason>` at once on a failure that retrying cannot mend.
 */
export async function connectWithRetries<T>(options: ConnectAttempts<T>): Promise<T> {
  const { what, timeoutMs, logger } = options;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await options.attempt(Math.floor(Math.max(MIN_ATTEMPT_MS, Math.min(MAX_ATTEMPT_MS, timeoutMs / 3, deadline - Date.now()))));
    } catch (err) {
      if (!options.isUnreachable(err)) throw storeError(`cannot connect to ${what}`, err);
      const left = deadline - Date.now();
      if (left < MIN_ATTEMPT_MS + PAUSE_MS) throw storeError(`cannot reach ${what} within ${seconds(timeoutMs)} s`, err);
      logger.warn(`${what} not reachable (attempt ${attempt}): ${causeLine(err)}; retrying for ${seconds(left)} s`);
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  }
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
