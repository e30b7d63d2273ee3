// Public exports of @catenae/connectors. Importing it registers both stores with the runtime, so
// `-m` / `-a` (or startLink's `mongodb` / `aerospike`) give links `ctx.mongodb` / `ctx.aerospike`.
import { registerStoreConnector } from '@catenae/core';
import { connectAerospike } from './connect-aerospike.js';
import { connectMongo } from './connect-mongo.js';

export { MongoStore, type UpdateOutcome } from './mongo-store.js';
export { AerospikeStore } from './aerospike-store.js';
export type { AerospikeIndexOptions } from './aerospike-mapping.js';
export { connectMongo, connectAerospike };
export { requireMongoStore, requireAerospikeStore } from './require-store.js';

registerStoreConnector('mongodb', connectMongo);
registerStoreConnector('aerospike', connectAerospike);
