import { statSync } from 'node:fs';

/** A broker whose log moved within this long is still working, not hung. */
export const BUSY_WITHIN_MS = 15_000;

/**
 * How much longer than its timeout a broker may take while it keeps writing its log: one with
 * thousands of partitions spends minutes loading them at start.
 */
export const BUSY_GRACE_MS = 5 * 60_000;

/**
 * Watches a broker's log file (its size and modification time, so a rotation counts as a move)
 * to tell a broker that is busy, loading or closing many partitions, from one that is stuck.
 */
export class LogActivity {
  #stamp: string;
  #movedAt = Date.now();

  constructor(private readonly logFile: string) {
    this.#stamp = this.#read();
  }

  /** Milliseconds since the log last changed (0 when it changed since the last call). */
  quietMs(now = Date.now()): number {
    const stamp = this.#read();
    if (stamp !== this.#stamp) {
      this.#stamp = stamp;
      this.#movedAt = now;
    }
    return now - this.#movedAt;
  }

  /**
   * Whether a wait that was due at `deadline` is over: past it, and either the log has been quiet
   * for {@link BUSY_WITHIN_MS} or {@link BUSY_GRACE_MS} more went by as well.
   */
  expired(deadline: number, now = Date.now()): boolean {
    const quiet = this.quietMs(now);
    if (now < deadline) return false;
    return now >= deadline + BUSY_GRACE_MS || quiet >= BUSY_WITHIN_MS;
  }

  #read(): string {
    try {
      const stat = statSync(this.logFile);
      return `${stat.size}:${stat.mtimeMs}`;
    } catch {
      return 'none';
    }
  }
}
