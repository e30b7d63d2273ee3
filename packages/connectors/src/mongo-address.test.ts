import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeMongoAddress, mongoUri } from './mongo-address.js';

test('-m host:port becomes a URI; a URI is kept', () => {
  assert.equal(mongoUri('db:27017'), 'mongodb://db:27017');
  assert.equal(mongoUri('mongodb://u:p@a:1,b:2/app?replicaSet=rs'), 'mongodb://u:p@a:1,b:2/app?replicaSet=rs');
  assert.equal(mongoUri('mongodb+srv://cluster.example.net'), 'mongodb+srv://cluster.example.net');
});

test('messages name the hosts, never the credentials', () => {
  assert.equal(describeMongoAddress('db:27017'), 'db:27017');
  assert.equal(describeMongoAddress('mongodb://user:secret@a:1,b:2/app?replicaSet=rs'), 'a:1,b:2');
  assert.equal(describeMongoAddress('mongodb+srv://cluster.example.net/?tls=true'), 'cluster.example.net');
});
