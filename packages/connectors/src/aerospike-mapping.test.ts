import assert from 'node:assert/strict';
import { test } from 'node:test';
import Aerospike from 'aerospike';
import { ErrorCode } from '@catenae/core';
import {
  aerospikeConfig,
  aerospikeHosts,
  checkGetOptions,
  ERR_RECORD_NOT_FOUND,
  EXISTS_CREATE_OR_REPLACE,
  fromBins,
  INDEX_DATATYPE,
  indexOptions,
  isNotFound,
  isUnreachableStatus,
  KEY_SEND,
  putKey,
  recordKey,
  toBins,
} from './aerospike-mapping.js';

// These tests stand at the client boundary: what the mapping produces is handed to the real
// `aerospike` client's own constructors and checked against its constants (no server needed).
const target = { database: 'test', collection: 'words' };

test('the mapping constants are the client\'s', () => {
  assert.equal(KEY_SEND, Aerospike.policy.key.SEND);
  assert.equal(EXISTS_CREATE_OR_REPLACE, Aerospike.policy.exists.CREATE_OR_REPLACE);
  assert.equal(INDEX_DATATYPE.string, Aerospike.indexDataType.STRING);
  assert.equal(INDEX_DATATYPE.numeric, Aerospike.indexDataType.NUMERIC);
  assert.equal(ERR_RECORD_NOT_FOUND, Aerospike.status.ERR_RECORD_NOT_FOUND);
  for (const name of ['ERR_CONNECTION', 'ERR_TIMEOUT', 'ERR_CLUSTER', 'ERR_INVALID_NODE', 'ERR_NO_MORE_CONNECTIONS', 'ERR_ASYNC_CONNECTION'] as const) {
    assert.ok(isUnreachableStatus({ code: Aerospike.status[name] }), name);
  }
  assert.ok(!isUnreachableStatus({ code: Aerospike.status.ERR_RECORD_NOT_FOUND }));
  assert.ok(isNotFound({ code: Aerospike.status.ERR_RECORD_NOT_FOUND }));
});

test('the client accepts the configuration: seeds, connection timeout, keys sent and puts that replace', () => {
  const client = Aerospike.client(aerospikeConfig('10.0.0.1:3100,db2', 1500));
  assert.deepEqual(client.config.hosts, [{ addr: '10.0.0.1', port: 3100 }, { addr: 'db2', port: 3000 }]);
  assert.equal(client.config.connTimeoutMs, 1500);
  assert.equal(client.config.policies.write?.key, Aerospike.policy.key.SEND);
  assert.equal(client.config.policies.write?.exists, Aerospike.policy.exists.CREATE_OR_REPLACE);
  assert.equal(client.isConnected(), false);
});

test('a malformed -a address is refused with CATENAE_STORE', () => {
  for (const bad of ['', 'host:', 'host:99999', 'a b:3000', 'h:1,']) {
    assert.throws(() => aerospikeHosts(bad), { code: ErrorCode.Store }, bad);
  }
});

test('record keys are namespace, set and key, and the client builds a Key of them', () => {
  for (const key of ['word', 42, -7, 2n ** 62n, Buffer.from([1, 2])]) {
    const options = recordKey(target, key);
    assert.deepEqual(options, { ns: 'test', set: 'words', key });
    const built = new Aerospike.Key(options.ns, options.set, options.key);
    assert.equal(built.key, key);
  }
});

test('keys the client would refuse are refused first, with CATENAE_STORE', () => {
  for (const key of [1.5, true, { a: 1 }, null, undefined]) {
    assert.throws(() => recordKey(target, key), { code: ErrorCode.Store });
    assert.throws(() => new Aerospike.Key('test', 'words', key as never));
  }
});

test('a plain object is stored as bins, any other value in the single bin "value"', () => {
  assert.deepEqual(toBins({ word: 'a', count: 2 }), { word: 'a', count: 2 });
  assert.deepEqual(toBins('hello'), { value: 'hello' });
  assert.deepEqual(toBins(3.5), { value: 3.5 });
  assert.deepEqual(toBins([1, 2]), { value: [1, 2] });
  const buffer = Buffer.from('x');
  assert.deepEqual(toBins(buffer), { value: buffer });
  assert.throws(() => toBins(null), { code: ErrorCode.Store });
  assert.throws(() => toBins(undefined), { code: ErrorCode.Store });
});

test('toBins copies: the caller\'s object is not the one handed to the client', () => {
  const value = { a: 1 };
  assert.notEqual(toBins(value), value);
});

test('a record whose only bin is "value" reads back as that value, any other as its bins', () => {
  for (const value of ['hello', 7, [1, 2], { nested: true }]) assert.deepEqual(fromBins(toBins(value)), value);
  assert.deepEqual(fromBins({ word: 'a', count: 2 }), { word: 'a', count: 2 });
  assert.deepEqual(fromBins({ value: 1, other: 2 }), { value: 1, other: 2 });
});

test('put keys: the given one, else a key-like value itself, else a random UUID', () => {
  assert.equal(putKey({ a: 1 }, 'k'), 'k');
  assert.equal(putKey('seen-word', undefined), 'seen-word');
  assert.equal(putKey(12, undefined), 12);
  const made = putKey({ a: 1 }, undefined);
  assert.match(String(made), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.notEqual(putKey(1.5, undefined), 1.5);
});

test('get refuses MongoDB\'s sort, limit and hint', () => {
  checkGetOptions({ database: 'test', collection: 'words' });
  for (const options of [{ sort: { a: 1 as const } }, { limit: 1 }, { hint: 'a_1' }]) {
    assert.throws(() => checkGetOptions(options), { code: ErrorCode.Store });
  }
});

test('an index covers one bin, string by default, named <bin>_index', () => {
  assert.deepEqual(indexOptions(target, 'word', {}), { ns: 'test', set: 'words', bin: 'word', index: 'word_index', datatype: Aerospike.indexDataType.STRING });
  assert.deepEqual(indexOptions(target, { count: -1 }, { name: 'by_count', type: 'numeric' }), {
    ns: 'test',
    set: 'words',
    bin: 'count',
    index: 'by_count',
    datatype: Aerospike.indexDataType.NUMERIC,
  });
  assert.throws(() => indexOptions(target, { a: 1, b: 1 }, {}), { code: ErrorCode.Store });
  assert.throws(() => indexOptions(target, 'a', { unique: true }), { code: ErrorCode.Store });
});
