import { Link, Table, Transform, type Context, type Electron, type KeyedTable } from '@catenae/core';

/**
 * Reads the reducers' running counts and prints one line per update: how many words are counted
 * over all reducers, and the most frequent ones. It keeps the latest count of each word in a
 * table, so a restarted tally resumes where it was.
 */
@Link({ inputs: ['word_counts'] })
export class Tally {
  @Table() latest!: KeyedTable<string, number>;

  @Transform()
  tally(update: Electron<number>, ctx: Context): void {
    this.latest.set(update.key!, update.value);
    if (!ctx.args.includes('--quiet')) process.stdout.write(`${this.summary()}\n`);
  }

  /** The total and the five most frequent words, as printed. */
  summary(): string {
    let total = 0;
    const entries = [...this.latest.entries()];
    for (const [, n] of entries) total += n;
    const top = entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
    return `counted ${total} words; top: ${top.map(([word, n]) => `${word}=${n}`).join(' ')}`;
  }
}
