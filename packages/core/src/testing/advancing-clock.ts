import type { Clock } from '../runtime/clock.js';

interface Sleeper {
  due: number;
  wake: () => void;
}

/**
 * The TestDriver's clock: real time plus whatever `advance` added. Waits end at the earlier of
 * their real end and the moment `advance` moves the clock past them, so a test of an hourly loop
 * or a window's idle close runs in milliseconds, and links that rely on real time still run.
 */
export class AdvancingClock implements Clock {
  #offsetMs = 0;
  #sleepers: Sleeper[] = [];

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper: Sleeper = { due: this.now() + ms, wake: () => done() };
      const timer = setTimeout(() => done(), ms);
      const onAbort = (): void => done();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });
  }

  /** Moves the clock `ms` forward and ends the waits that are due by then. */
  advance(ms: number): void {
    this.#offsetMs += ms;
    const now = this.now();
    for (const sleeper of this.#sleepers.filter((s) => s.due <= now)) sleeper.wake();
  }
}
