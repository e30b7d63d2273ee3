import { randomUUID } from 'node:crypto';
import type { AerospikeBins, ConfigOptions, Host, IndexOptions, KeyOptions } from 'aerospike';
import type { GetOptions, StoreDefaults } from '@catenae/core';
import { isPlainObject } from './plain-object.js';
import { storeError } from './store-error.js';

// What the store passes to the `aerospike` client, computed here without loading it (it is an
// optional peer dependency); aerospike-mapping.test.ts checks each constant against the client.
/** `Aerospike.policy.key.SEND`: writes store the user key beside its digest. */
export const KEY_SEND = 1;
/** `Aerospike.policy.exists.CREATE_OR_REPLACE`: a put replaces the whole record, as a MongoDB put does. */
export const EXISTS_CREATE_OR_REPLACE = 4;
/** `Aerospike.indexDataType.STRING` and `NUMERIC`. */
export const INDEX_DATATYPE = { string: 0, numeric: 1 } as const;
/** `Aerospike.status.ERR_RECORD_NOT_FOUND`. */
export const ERR_RECORD_NOT_FOUND = 2;
/** Status codes of a cluster that is down or starting: connection (-10, -8, -7, -6), timeout (9), cluster (11). */
export const UNREACHABLE_STATUS: ReadonlySet<number> = new Set([-10, -8, -7, -6, 9, 11]);

/** The bin a value that is not a plain object is stored in, as the Python library does. */
export const VALUE_BIN = 'value';
const DEFAULT_PORT = 3000;

/**
 * Seed hosts from `-a host[:port][,host[:port]...]` (port 3000 when absent).
 * @throws CatenaeError `CATENAE_STORE` naming a malformed entry.
 */
export function aerospikeHosts(address: string): Host[] {
  return address.split(',').map((entry) => {
    const match = /^\s*([^\s:]+)(?::(\d{1,5}))?\s*$/.exec(entry);
    const port = match?.[2] === undefined ? DEFAULT_PORT : Number(match[2]);
    if (!match || port < 1 || port > 65535) throw storeError(`Aerospike address "${address}" is not host:port[,host:port]`);
    return { addr: match[1]!, port };
  });
}

/** The client configuration: seeds, an attempt's connection timeout, keys sent on writes, puts that replace. */
export function aerospikeConfig(address: string, attemptMs: number): ConfigOptions {
  return {
    hosts: aerospikeHosts(address),
    connTimeoutMs: attemptMs,
    policies: { write: { key: KEY_SEND, exists: EXISTS_CREATE_OR_REPLACE } },
  } as ConfigOptions;
}

/** Whether `value` can be an Aerospike user key: a string, an integer, a BigInt or a Buffer. */
export function isUserKey(value: unknown): value is string | number | bigint | Buffer {
  return typeof value === 'string' || typeof value === 'bigint' || Buffer.isBuffer(value) || Number.isSafeInteger(value);
}

/**
 * The key a put stores under: the one given; else the value itself when it can be a key (the
 * Python library's `put(key)` idiom, which makes a set of seen values); else a random UUID.
 */
export function putKey(value: unknown, key: unknown): unknown {
  if (key !== undefined) return key;
  return isUserKey(value) ? value : randomUUID();
}

/**
 * The record key of `key` in the target: database = namespace, collection = set.
 * @throws CatenaeError `CATENAE_STORE` when `key` is no string, integer, BigInt or Buffer.
 */
export function recordKey(target: StoreDefaults, key: unknown): KeyOptions {
  if (!isUserKey(key)) throw storeError(`an Aerospike key must be a string, an integer, a BigInt or a Buffer, not ${describe(key)}`);
  // KeyOptions leaves BigInt out, which the client accepts (up to 64 bits).
  return { ns: target.database, set: target.collection, key: key as KeyOptions['key'] };
}

/**
 * The bins of a value: a plain object's fields are bins (names of at most 15 bytes); any other
 * value goes in the single bin `value`.
 * @throws CatenaeError `CATENAE_STORE` for `null` or `undefined`: a record needs a bin.
 */
export function toBins(value: unknown): AerospikeBins {
  if (value === null || value === undefined) throw storeError(`Aerospike cannot store ${value}: a record needs at least one bin`);
  return (isPlainObject(value) ? { ...value } : { [VALUE_BIN]: value }) as AerospikeBins;
}

/** What a record holds: the value of a record whose only bin is `value`, else its bins. */
export function fromBins(bins: AerospikeBins): unknown {
  const names = Object.keys(bins);
  return names.length === 1 && names[0] === VALUE_BIN ? bins[VALUE_BIN] : bins;
}

/**
 * Checks a get's options: Aerospike reads one record by key, so MongoDB's `sort`, `limit` and
 * `hint` have no meaning. @throws CatenaeError `CATENAE_STORE` when one is given.
 */
export function checkGetOptions(options: GetOptions): void {
  const given = (['sort', 'limit', 'hint'] as const).filter((name) => options[name] !== undefined);
  if (given.length > 0) throw storeError(`Aerospike get reads one record by key: ${given.join(', ')} is not supported`);
}

/** Options of {@link AerospikeStore.createIndex}. */
export interface AerospikeIndexOptions extends Partial<StoreDefaults> {
  /** Default `<bin>_index`, as in the Python library. */
  name?: string;
  /** Not available on Aerospike secondary indexes: `true` is refused. */
  unique?: boolean;
  /** What the bin holds: `string` (default) or `numeric`. */
  type?: keyof typeof INDEX_DATATYPE;
}

/**
 * A secondary index on one bin: `fields` is a bin name or a one-field spec (the direction is
 * ignored). @throws CatenaeError `CATENAE_STORE` for several fields or `unique`.
 */
export function indexOptions(target: StoreDefaults, fields: Record<string, 1 | -1> | string, options: AerospikeIndexOptions): IndexOptions {
  const bins = typeof fields === 'string' ? [fields] : Object.keys(fields);
  if (bins.length !== 1) throw storeError(`an Aerospike index covers one bin, not ${bins.length} (${bins.join(', ')})`);
  if (options.unique === true) throw storeError('Aerospike secondary indexes cannot be unique');
  const bin = bins[0]!;
  return {
    ns: target.database,
    set: target.collection,
    bin,
    index: options.name ?? `${bin}_index`,
    datatype: INDEX_DATATYPE[options.type ?? 'string'],
  } as IndexOptions;
}

/** Whether an error of the client says the record is not there. */
export function isNotFound(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === ERR_RECORD_NOT_FOUND;
}

/** Whether an error of the client says the cluster is down or starting (worth retrying). */
export function isUnreachableStatus(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && UNREACHABLE_STATUS.has(code);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? `a ${value.constructor?.name ?? 'null-prototype object'}` : `a ${typeof value}`;
}
