import type { GetOptions, Store, StoreDefaults } from '@catenae/core';
import type { Client } from 'aerospike';
import {
  checkGetOptions,
  fromBins,
  indexOptions,
  isNotFound,
  putKey,
  recordKey,
  toBins,
  type AerospikeIndexOptions,
} from './aerospike-mapping.js';
import { storeError } from './store-error.js';
import { resolveTarget } from './store-target.js';

/**
 * The Aerospike store of a link (`ctx.aerospike`, from `-a host:port[,host:port]`), on the official
 * `aerospike` client, with the Python library's conventions:
 * - database = namespace, collection = set (see {@link setDefaults});
 * - a query is a record key: a string, an integer, a BigInt or a Buffer;
 * - a plain object is stored with one bin per field (bin names of at most 15 bytes); any other
 *   value in the single bin `value`, and a record whose only bin is `value` reads back as that value;
 * - keys are stored with the record (`policy.key = SEND`), so scans and queries return them;
 * - `put` replaces the whole record (`exists = CREATE_OR_REPLACE`), as a MongoDB `put` does.
 * `get` resolves to `[value]` or `[]`; MongoDB's `sort`, `limit` and `hint` are refused.
 * Client failures reject with `CATENAE_STORE`, the client's error as `cause`.
 * @publicApi
 */
export class AerospikeStore implements Store {
  readonly #client: Client;
  #defaults: StoreDefaults | undefined;
  #closed = false;

  /** Wraps a connected client configured by `aerospikeConfig`; {@link connectAerospike} makes one with bounded retries. */
  constructor(client: Client) {
    this.#client = client;
  }

  /** The client, for what this store does not cover (operate, batch, queries, UDFs). */
  get client(): Client {
    return this.#client;
  }

  /** The namespace (`database`) and set (`collection`) of calls that name none. */
  setDefaults(database: string, collection: string): void {
    this.#defaults = { database, collection };
  }

  /**
   * Stores `value` under `key`, replacing the record. Without a key, a string, integer, BigInt or
   * Buffer value is its own key (a set of seen values, as the Python `put(key)`); any other value
   * gets a random UUID. Resolves to the key.
   */
  put(value: unknown, key?: unknown, where?: Partial<StoreDefaults>): Promise<unknown> {
    return this.#run('put', where, async (target) => {
      const stored = putKey(value, key);
      await this.#client.put(recordKey(target, stored), toBins(value));
      return stored;
    });
  }

  /** `[value]` of the record of key `query`, or `[]` when there is none. */
  get(query?: unknown, options: GetOptions = {}): Promise<unknown[]> {
    return this.#run('get', options, async (target) => {
      checkGetOptions(options);
      try {
        return [fromBins((await this.#client.get(recordKey(target, query))).bins)];
      } catch (err) {
        if (isNotFound(err)) return [];
        throw err;
      }
    });
  }

  /** Whether a record of key `query` exists. */
  exists(query: unknown, where?: Partial<StoreDefaults>): Promise<boolean> {
    return this.#run('exists', where, (target) => this.#client.exists(recordKey(target, query)));
  }

  /** Removes the record of key `query`; resolves to 1, or 0 when there was none. */
  remove(query: unknown, where?: Partial<StoreDefaults>): Promise<number> {
    return this.#run('remove', where, async (target) => {
      try {
        await this.#client.remove(recordKey(target, query));
        return 1;
      } catch (err) {
        if (isNotFound(err)) return 0;
        throw err;
      }
    });
  }

  /** 1 or 0 for a key; without one, the records of the set, counted by a scan without bins. */
  count(query?: unknown, where?: Partial<StoreDefaults>): Promise<number> {
    return this.#run('count', where, async (target) => {
      if (query !== undefined) return (await this.#client.exists(recordKey(target, query))) ? 1 : 0;
      const stream = this.#client.scan(target.database, target.collection, { nobins: true }).foreach();
      return new Promise<number>((resolve, reject) => {
        let records = 0;
        stream.on('data', () => records++);
        stream.on('error', reject);
        stream.on('end', () => resolve(records));
      });
    });
  }

  /** Creates a secondary index on one bin (`string` unless `type: 'numeric'`) and waits until it is built; resolves to its name. */
  createIndex(fields: Record<string, 1 | -1> | string, options: AerospikeIndexOptions = {}): Promise<string> {
    return this.#run('createIndex', options, async (target) => {
      const index = indexOptions(target, fields, options);
      await (await this.#client.createIndex(index)).wait();
      return index.index;
    });
  }

  /** Closes the client. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.close();
  }

  async #run<T>(operation: string, where: Partial<StoreDefaults> | undefined, work: (target: StoreDefaults) => Promise<T>): Promise<T> {
    const target = resolveTarget('Aerospike', this.#defaults, where);
    try {
      return await work(target);
    } catch (err) {
      throw storeError(`Aerospike ${operation} on ${target.database}.${target.collection} failed`, err);
    }
  }
}
