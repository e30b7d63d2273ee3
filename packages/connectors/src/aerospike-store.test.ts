import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { Client } from 'aerospike';
import { ErrorCode } from '@catenae/core';
import { AerospikeStore } from './aerospike-store.js';

/** A client double that keeps records in a Map and records every call, as the real client receives it. */
function fakeClient() {
  const records = new Map<string, Record<string, unknown>>();
  const calls: unknown[][] = [];
  const id = (key: { ns: string; set: string; key: unknown }) => `${key.ns}/${key.set}/${String(key.key)}`;
  const notFound = () => Object.assign(new Error('AEROSPIKE_ERR_RECORD_NOT_FOUND'), { code: 2 });
  const client = {
    async put(key: { ns: string; set: string; key: unknown }, bins: Record<string, unknown>) {
      calls.push(['put', key, bins]);
      records.set(id(key), bins);
      return key;
    },
    async get(key: { ns: string; set: string; key: unknown }) {
      calls.push(['get', key]);
      const bins = records.get(id(key));
      if (!bins) throw notFound();
      return { key, bins };
    },
    async exists(key: { ns: string; set: string; key: unknown }) {
      calls.push(['exists', key]);
      return records.has(id(key));
    },
    async remove(key: { ns: string; set: string; key: unknown }) {
      calls.push(['remove', key]);
      if (!records.delete(id(key))) throw notFound();
      return key;
    },
    scan(ns: string, set: string, options: unknown) {
      calls.push(['scan', ns, set, options]);
      return {
        foreach() {
          const stream = new EventEmitter();
          setImmediate(() => {
            for (const name of records.keys()) if (name.startsWith(`${ns}/${set}/`)) stream.emit('data', {});
            stream.emit('end');
          });
          return stream;
        },
      };
    },
    async createIndex(options: unknown) {
      calls.push(['createIndex', options]);
      return { wait: async () => undefined };
    },
    close() {
      calls.push(['close']);
    },
  };
  return { client: client as unknown as Client, calls, records };
}

test('put hands the client namespace/set/key and the bins; get reads the value back', async () => {
  const { client, calls } = fakeClient();
  const store = new AerospikeStore(client);
  store.setDefaults('test', 'words');
  assert.equal(await store.put(3, 'a'), 'a');
  assert.equal(await store.put({ word: 'b', count: 1 }, 'b'), 'b');
  assert.deepEqual(calls, [
    ['put', { ns: 'test', set: 'words', key: 'a' }, { value: 3 }],
    ['put', { ns: 'test', set: 'words', key: 'b' }, { word: 'b', count: 1 }],
  ]);
  assert.deepEqual(await store.get('a'), [3]);
  assert.deepEqual(await store.get('b'), [{ word: 'b', count: 1 }]);
  assert.deepEqual(await store.get('missing'), []);
});

test('a key-like value without a key is its own key; exists, count and remove follow', async () => {
  const { client } = fakeClient();
  const store = new AerospikeStore(client);
  store.setDefaults('test', 'seen');
  assert.equal(await store.put('hello'), 'hello');
  assert.equal(await store.exists('hello'), true);
  assert.equal(await store.count('hello'), 1);
  assert.equal(await store.count(), 1);
  assert.equal(await store.remove('hello'), 1);
  assert.equal(await store.remove('hello'), 0);
  assert.equal(await store.exists('hello'), false);
  assert.equal(await store.count(), 0);
});

test('database and collection given to a call are its namespace and set', async () => {
  const { client, calls } = fakeClient();
  const store = new AerospikeStore(client);
  await store.put(1, 'k', { database: 'ns2', collection: 'set2' });
  assert.deepEqual(calls[0], ['put', { ns: 'ns2', set: 'set2', key: 'k' }, { value: 1 }]);
  assert.equal(await store.createIndex('count', { database: 'ns2', collection: 'set2', type: 'numeric' }), 'count_index');
  assert.deepEqual(calls[1], ['createIndex', { ns: 'ns2', set: 'set2', bin: 'count', index: 'count_index', datatype: 1 }]);
});

test('a call without defaults or a target, a bad key or a client failure rejects with CATENAE_STORE', async () => {
  const { client } = fakeClient();
  const store = new AerospikeStore(client);
  await assert.rejects(store.put(1, 'k'), { code: ErrorCode.Store, message: /no database given; call setDefaults/ });
  store.setDefaults('test', 'words');
  await assert.rejects(store.get(1.5), { code: ErrorCode.Store, message: /Aerospike get on test\.words failed: an Aerospike key must be/ });
  (client as unknown as { exists: () => Promise<never> }).exists = async () => {
    throw Object.assign(new Error('Node not found'), { code: -8 });
  };
  await assert.rejects(store.exists('a'), (err: Error) => {
    assert.equal((err as { code?: string }).code, ErrorCode.Store);
    assert.equal((err.cause as Error).message, 'Node not found');
    return true;
  });
});

test('close closes the client once', async () => {
  const { client, calls } = fakeClient();
  const store = new AerospikeStore(client);
  await store.close();
  await store.close();
  assert.deepEqual(calls, [['close']]);
});
