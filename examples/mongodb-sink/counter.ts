import { Link, Transform, type Context, type Electron } from '@catenae/core';
import { requireMongoStore } from '@catenae/connectors';

/** Where the counts go: database `wordcount`, collection `counts`, one document per word. */
export const COUNTS = { database: 'wordcount', collection: 'counts' } as const;

/**
 * A leaf link that keeps the word count in MongoDB instead of in memory: every `(word, n)` electron
 * of the word-count mappers adds `n` to the document `{ _id: word, count }`. It reads where the
 * in-memory Reducer reads (`reducer_input`) and needs `-m host:port` (or a `mongodb://` URI).
 * Instances can be scaled freely: `$inc` is atomic, and a word's electrons reach one instance in order.
 */
@Link({ inputs: ['reducer_input'] })
export class Counter {
  async setup(ctx: Context) {
    const db = requireMongoStore(ctx);
    db.setDefaults(COUNTS.database, COUNTS.collection);
    await db.createIndex({ count: -1 }, { name: 'by_count' });
  }

  @Transform()
  async count(pair: Electron<number>, ctx: Context): Promise<void> {
    await requireMongoStore(ctx).update({ _id: pair.key }, { $inc: { count: pair.value } });
  }
}
