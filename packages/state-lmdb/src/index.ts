// Public exports of @catenae/state-lmdb: the local persistent store of table shards behind
// `--state-dir`. Importing the package plugs it into the core runtime.
import { registerStateStore } from '@catenae/core';
import { LmdbStateStore } from './lmdb-state-store.js';

registerStateStore((dir) => new LmdbStateStore(dir));

export { LmdbStateStore } from './lmdb-state-store.js';
