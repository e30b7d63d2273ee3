import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client } from 'aerospike';
import { MongoClient } from 'mongodb';
import { ErrorCode } from '@catenae/core';
import { AerospikeStore } from './aerospike-store.js';
import { MongoStore } from './mongo-store.js';
import { requireAerospikeStore, requireMongoStore } from './require-store.js';

test('a link\'s stores come back typed; a missing one says which flag starts it', () => {
  const mongodb = new MongoStore(new MongoClient('mongodb://127.0.0.1:1'));
  const aerospike = new AerospikeStore({} as Client);
  assert.equal(requireMongoStore({ mongodb }), mongodb);
  assert.equal(requireAerospikeStore({ aerospike }), aerospike);
  assert.throws(() => requireMongoStore({ mongodb: undefined }), { code: ErrorCode.Store, message: /start it with -m host:port/ });
  assert.throws(() => requireAerospikeStore({ aerospike: undefined }), { code: ErrorCode.Store, message: /start it with -a host:port/ });
  assert.throws(() => requireMongoStore({ mongodb: aerospike }), { code: ErrorCode.Store });
});
