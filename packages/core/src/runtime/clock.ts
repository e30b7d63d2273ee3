import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Wall-clock time as the runtime reads it: loops and interval generators wait on it, windows'
 * idle closes measure it. `TestDriver` swaps in one it can move forward (`advanceTime`).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` (or when `signal` aborts); never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The process's clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
};
