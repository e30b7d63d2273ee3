import { Link, Rpc, Transform, type Context, type Electron } from '@catenae/core';

/**
 * Adds up the counts the mappers emit and prints the running result: one line per update with
 * the total of words counted and the most frequent ones.
 */
@Link({ inputs: ['reducer_input'] })
export class Reducer {
  readonly counts = new Map<string, number>();
  total = 0;

  @Transform()
  reduce(pair: Electron<number>, ctx: Context): void {
    const word = pair.key as string;
    this.counts.set(word, (this.counts.get(word) ?? 0) + pair.value);
    this.total += pair.value;
    if (!ctx.args.includes('--quiet')) process.stdout.write(`${this.summary()}\n`);
  }

  /** The total and the five most frequent words, as printed. */
  summary(): string {
    const top = [...this.counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
    return `counted ${this.total} words; top: ${top.map(([word, n]) => `${word}=${n}`).join(' ')}`;
  }

  /** The counts so far, callable by other links. */
  @Rpc()
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** Forgets every count. */
  @Rpc()
  reset(): void {
    this.counts.clear();
    this.total = 0;
  }
}
