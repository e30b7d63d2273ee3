import type { Store } from '@catenae/core';
import { AerospikeStore } from './aerospike-store.js';
import { MongoStore } from './mongo-store.js';
import { storeError } from './store-error.js';

/**
 * `ctx.mongodb` typed as a {@link MongoStore} (with `update`, `push`, `getRandom`), for a link that
 * needs one. @throws CatenaeError `CATENAE_STORE` when the link was started without `-m`.
 */
export function requireMongoStore(ctx: { mongodb: Store | undefined }): MongoStore {
  if (ctx.mongodb instanceof MongoStore) return ctx.mongodb;
  throw storeError('this link needs a MongoDB store: start it with -m host:port (or startLink options { mongodb })');
}

/**
 * `ctx.aerospike` typed as an {@link AerospikeStore}, for a link that needs one.
 * @throws CatenaeError `CATENAE_STORE` when the link was started without `-a`.
 */
export function requireAerospikeStore(ctx: { aerospike: Store | undefined }): AerospikeStore {
  if (ctx.aerospike instanceof AerospikeStore) return ctx.aerospike;
  throw storeError('this link needs an Aerospike store: start it with -a host:port (or startLink options { aerospike })');
}
