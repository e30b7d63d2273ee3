import { Electron, Link, Rpc, Table, Transform, type Context, type KeyedTable } from '@catenae/core';

/**
 * Adds up the counts the mappers emit, per word, in a table: shard p of `counts` lives with input
 * partition p, so every count of one word reaches the instance holding that word, and any number
 * of reducers share the words. A crash or a restart loses nothing: the table comes back from its
 * changelog. Each update goes on to `word_counts` as (word, count so far).
 */
@Link({ inputs: ['reducer_input'], output: 'word_counts' })
export class Reducer {
  @Table() counts!: KeyedTable<string, number>;

  @Transform()
  reduce(pair: Electron<number>): Electron<number> {
    const word = pair.key!;
    const n = (this.counts.get(word) ?? 0) + pair.value;
    this.counts.set(word, n);
    return new Electron({ key: word, value: n });
  }

  /**
   * The count of one word, asked by key so the instance holding it answers:
   * `ctx.rpc.call({ link: 'Reducer', key: word }, 'snapshot', word)`. Without a word, the counts
   * this instance holds.
   */
  @Rpc()
  snapshot(word?: string): number | Record<string, number> {
    if (typeof word === 'string') return this.counts.get(word) ?? 0;
    return Object.fromEntries(this.counts);
  }

  /** Forgets the counts this instance holds: `ctx.rpc.notify('Reducer', 'reset')` reaches every instance. */
  @Rpc()
  reset(_: unknown, ctx: Context): void {
    for (const word of [...this.counts.keys()]) this.counts.delete(word);
    ctx.logger.info('counts reset');
  }
}
