import type { GetOptions, Store, StoreDefaults } from '@catenae/core';
import type { Collection, Document, FindOptions, MongoClient, UpdateFilter, WithId } from 'mongodb';
import { isUnsupportedStage, toDocument, toFilter, toIndexSpec, toUpdate } from './mongo-query.js';
import { randomOffsets } from './random-offsets.js';
import { storeError } from './store-error.js';
import { resolveTarget } from './store-target.js';

/** What {@link MongoStore.update} did. */
export interface UpdateOutcome {
  /** Documents the query matched (0 or 1). */
  matched: number;
  /** Documents changed (0 when the changes were already there). */
  modified: number;
  /** The `_id` of the document the upsert created, else `undefined`. */
  upsertedId: unknown;
}

/**
 * The MongoDB store of a link (`ctx.mongodb`, from `-m host:port` or `-m mongodb://...`), on the
 * official `mongodb` driver. A query is a filter document, or any other value as an `_id`
 * (`get('word')` reads `{ _id: 'word' }`); every call names its database and collection or uses
 * those of {@link setDefaults}. Driver failures reject with `CATENAE_STORE`, the driver's error as
 * `cause`.
 * @publicApi
 */
export class MongoStore implements Store {
  readonly #client: MongoClient;
  #defaults: StoreDefaults | undefined;
  #hasSample = true;
  #closed: Promise<void> | undefined;

  /** Wraps a connected client; {@link connectMongo} makes one from an address with bounded retries. */
  constructor(client: MongoClient) {
    this.#client = client;
  }

  /** The driver's client, for what this store does not cover (transactions, change streams). */
  get client(): MongoClient {
    return this.#client;
  }

  /** The database and collection of calls that name none. */
  setDefaults(database: string, collection: string): void {
    this.#defaults = { database, collection };
  }

  /**
   * Stores `value` (a plain object as a document, any other value as `{ value }`). With `key`, the
   * document `{ _id: key }` is replaced or created; without, a new document is inserted.
   * Resolves to the `_id`.
   */
  put(value: unknown, key?: unknown, where?: Partial<StoreDefaults>): Promise<unknown> {
    return this.#run('put', where, async (collection) => {
      const document = toDocument(value);
      if (key === undefined) return (await collection.insertOne(document)).insertedId;
      await collection.replaceOne({ _id: key as never }, document, { upsert: true });
      return key;
    });
  }

  /** The documents matching `query` (all without one), with the `sort`, `limit` and index `hint` given. */
  get(query?: unknown, options: GetOptions = {}): Promise<Document[]> {
    return this.#run('get', options, (collection) => {
      const find: FindOptions = {};
      if (options.sort !== undefined) find.sort = options.sort;
      if (options.limit !== undefined) find.limit = options.limit;
      if (options.hint !== undefined) find.hint = options.hint;
      return collection.find(toFilter(query), find).toArray();
    });
  }

  /** Whether a document matches `query`. */
  exists(query: unknown, where?: Partial<StoreDefaults>): Promise<boolean> {
    return this.#run('exists', where, async (collection) => (await collection.findOne(toFilter(query), { projection: { _id: 1 } })) !== null);
  }

  /** Removes every document matching `query` (`{}` removes all); resolves to how many. */
  remove(query: unknown, where?: Partial<StoreDefaults>): Promise<number> {
    return this.#run('remove', where, async (collection) => {
      if (query === undefined) throw new TypeError('remove needs a query; {} removes every document');
      return (await collection.deleteMany(toFilter(query))).deletedCount;
    });
  }

  /** How many documents match `query` (all without one). */
  count(query?: unknown, where?: Partial<StoreDefaults>): Promise<number> {
    return this.#run('count', where, (collection) => collection.countDocuments(toFilter(query)));
  }

  /** Creates an index on a field (ascending) or on a spec such as `{ word: 1, at: -1 }`; resolves to its name. */
  createIndex(fields: Record<string, 1 | -1> | string, options: { name?: string; unique?: boolean } & Partial<StoreDefaults> = {}): Promise<string> {
    return this.#run('createIndex', options, (collection) => {
      const index: { name?: string; unique?: boolean } = {};
      if (options.name !== undefined) index.name = options.name;
      if (options.unique !== undefined) index.unique = options.unique;
      return collection.createIndex(toIndexSpec(fields), index);
    });
  }

  /**
   * Updates the first document matching `query` with `changes`: update operators (`{ $inc: { n: 1 } }`)
   * as given, plain fields as `$set`. With `upsert` (the default, as in the Python library) a
   * missing document is created from the query and the changes.
   */
  update(query: unknown, changes: Record<string, unknown>, options: { upsert?: boolean } & Partial<StoreDefaults> = {}): Promise<UpdateOutcome> {
    return this.#run('update', options, async (collection) => {
      const result = await collection.updateOne(toFilter(query), toUpdate(changes), { upsert: options.upsert ?? true });
      return { matched: result.matchedCount, modified: result.modifiedCount, upsertedId: result.upsertedId ?? undefined };
    });
  }

  /**
   * Appends `value` to the array `field` of the first document matching `query`, creating the
   * document when there is none. To append several values at once pass `{ $each: [a, b] }`.
   */
  push(query: unknown, field: string, value: unknown, where?: Partial<StoreDefaults>): Promise<void> {
    return this.#run('push', where, async (collection) => {
      await collection.updateOne(toFilter(query), { $push: { [field]: value } } as UpdateFilter<Document>, { upsert: true });
    });
  }

  /**
   * Up to `n` documents matching `query` (all without one), drawn at random without repetition, in
   * no particular order. Uses the `$sample` stage; on a server without it (FerretDB 1.x answers
   * `NotImplemented`) it counts the matches and reads `n` distinct random offsets by `_id` order
   * instead: `n + 1` queries, and a document added or removed meanwhile can be missed.
   */
  getRandom(query?: unknown, n = 1, where?: Partial<StoreDefaults>): Promise<Document[]> {
    return this.#run('getRandom', where, async (collection) => {
      const filter = toFilter(query);
      if (this.#hasSample) {
        try {
          return await collection.aggregate([{ $match: filter }, { $sample: { size: n } }]).toArray();
        } catch (err) {
          if (!isUnsupportedStage(err)) throw err;
          this.#hasSample = false;
        }
      }
      const offsets = randomOffsets(await collection.countDocuments(filter), n);
      const found = await Promise.all(offsets.map((skip) => collection.findOne(filter, { sort: { _id: 1 }, skip })));
      return found.filter((document): document is WithId<Document> => document !== null);
    });
  }

  /** Closes the client. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#client.close();
    return this.#closed;
  }

  async #run<T>(operation: string, where: Partial<StoreDefaults> | undefined, work: (collection: Collection) => Promise<T>): Promise<T> {
    const { database, collection } = resolveTarget('MongoDB', this.#defaults, where);
    try {
      return await work(this.#client.db(database).collection(collection));
    } catch (err) {
      throw storeError(`MongoDB ${operation} on ${database}.${collection} failed`, err);
    }
  }
}
