/** How long a line that was let through silences its repeats (then one comes through with their count). */
export const REPEAT_WINDOW_MS = 30_000;
// Keys kept before the ones whose window ended are swept: bounded memory for varied messages.
const MAX_KEYS = 500;

interface Seen {
  /** When a line of this key was last let through. */
  at: number;
  /** Repeats silenced since. */
  silenced: number;
}

/**
 * Rate-limits repeated log lines: the first line of a key goes through, its repeats within
 * `windowMs` are counted instead, and the first repeat after the window goes through with that
 * count. A client retrying a dead broker every few milliseconds then logs one line per window.
 */
export class RepeatFilter {
  readonly #windowMs: number;
  readonly #seen = new Map<string, Seen>();

  constructor(windowMs = REPEAT_WINDOW_MS) {
    this.#windowMs = windowMs;
  }

  /**
   * Undefined to silence this line; else how many repeats were silenced since the last line of
   * its key (0 for a new line) and how long ago that line was, in milliseconds.
   */
  admit(key: string, now: number): { silenced: number; sinceMs: number } | undefined {
    const seen = this.#seen.get(key);
    if (seen !== undefined && now - seen.at < this.#windowMs) {
      seen.silenced++;
      return undefined;
    }
    if (seen === undefined && this.#seen.size >= MAX_KEYS) this.#sweep(now);
    this.#seen.set(key, { at: now, silenced: 0 });
    return seen === undefined ? { silenced: 0, sinceMs: 0 } : { silenced: seen.silenced, sinceMs: now - seen.at };
  }

  /** The keys with repeats silenced since their last line, and how many; forgets them. */
  takeSilenced(): [key: string, silenced: number][] {
    const silenced: [string, number][] = [];
    for (const [key, seen] of this.#seen) if (seen.silenced > 0) silenced.push([key, seen.silenced]);
    this.#seen.clear();
    return silenced;
  }

  #sweep(now: number): void {
    for (const [key, seen] of this.#seen) if (now - seen.at >= this.#windowMs && seen.silenced === 0) this.#seen.delete(key);
    // Still full of live keys (a flood of distinct lines): start over rather than grow.
    if (this.#seen.size >= MAX_KEYS) this.#seen.clear();
  }
}
