/** Options of {@link Store.get}. */
export interface GetOptions {
  /** Fields and directions to sort by (MongoDB), e.g. `{ timestamp: -1 }`. */
  sort?: Record<string, 1 | -1>;
  /** Return at most this many. */
  limit?: number;
  /** An index name or spec for the store to use (MongoDB `hint`). */
  hint?: string | Record<string, 1 | -1>;
  /** Where to look, instead of the defaults set by {@link Store.setDefaults}. */
  database?: string;
  collection?: string;
}

/** Where a store operation goes when the call does not say: a database and collection (MongoDB), a namespace and set (Aerospike). */
export interface StoreDefaults {
  database: string;
  collection: string;
}

/**
 * The few calls a link needs to keep results, the same on MongoDB and Aerospike, as the Python
 * library's wrappers offer them. A store is connected by the runtime from `-m` / `-a` before
 * `setup` and closed after `finish`; links reach it as `ctx.mongodb` / `ctx.aerospike`.
 * @publicApi
 */
export interface Store {
  /** The database (namespace) and collection (set) of calls that name none. */
  setDefaults(database: string, collection: string): void;
  /** Stores a document (MongoDB) or a record (Aerospike); `key` names it, else one is made. Resolves to the key. */
  put(value: unknown, key?: unknown, where?: Partial<StoreDefaults>): Promise<unknown>;
  /** Documents matching `query` (MongoDB), or the record of key `query` (Aerospike). */
  get(query?: unknown, options?: GetOptions): Promise<unknown[]>;
  /** Whether something matches `query`. */
  exists(query: unknown, where?: Partial<StoreDefaults>): Promise<boolean>;
  /** Removes what matches `query`; resolves to how many were removed. */
  remove(query: unknown, where?: Partial<StoreDefaults>): Promise<number>;
  /** How many match `query` (all without one). */
  count(query?: unknown, where?: Partial<StoreDefaults>): Promise<number>;
  /** Creates an index on `fields` (MongoDB spec, or an Aerospike bin). */
  createIndex(fields: Record<string, 1 | -1> | string, options?: { name?: string; unique?: boolean } & Partial<StoreDefaults>): Promise<string>;
  /** Closes the connection. Idempotent. */
  close(): Promise<void>;
}

/** Connects a store of one kind; the address is what the user gave to `-m` or `-a`. */
export type StoreConnector = (address: string, options: { timeoutMs: number; logger: { warn(message: string): void } }) => Promise<Store>;
