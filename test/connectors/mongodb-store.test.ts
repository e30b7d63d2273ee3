// MongoStore against a real MongoDB wire-protocol server: FerretDB 1.24 on SQLite, built and started
// by test/services/ferretdb.ts (no Kafka needed: the link test runs on the embedded broker).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { ErrorCode, Link, Transform, processEmbeddedBroker, startLink, type Context, type Electron } from '@catenae/core';
import { connectMongo, MongoStore, requireMongoStore } from '@catenae/connectors';
import { uniqueName } from '../helpers/kafka.js';
import { startFerretDb, type FerretDb } from '../services/ferretdb.js';

let ferret: FerretDb;
let store: MongoStore;
const quiet = { warn: () => undefined };

before(async () => {
  ferret = await startFerretDb();
  store = (await connectMongo(ferret.uri, { timeoutMs: 15_000, logger: quiet })) as MongoStore;
});

after(async () => {
  await store?.close();
  await ferret?.stop();
});

/** A store call's target no other test uses. */
function fresh(): { database: string; collection: string } {
  return { database: uniqueName('db').replace(/-/g, '_'), collection: 'items' };
}

/** A local port nothing listens on (taken and released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('put without a key inserts and resolves to the new _id; with a key it replaces or creates { _id: key }', async () => {
  const where = fresh();
  const value = { word: 'a', count: 1 };
  const id = await store.put(value, undefined, where);
  assert.ok(id !== undefined);
  assert.deepEqual(value, { word: 'a', count: 1 }, 'the caller\'s object gets no _id');
  assert.deepEqual(await store.get({ _id: id }, where), [{ _id: id, word: 'a', count: 1 }]);

  assert.equal(await store.put({ count: 1, extra: true }, 'b', where), 'b');
  assert.equal(await store.put({ count: 2 }, 'b', where), 'b');
  assert.deepEqual(await store.get('b', where), [{ _id: 'b', count: 2 }], 'a put replaces the whole document');

  await store.put('plain text', 'c', where);
  assert.deepEqual(await store.get('c', where), [{ _id: 'c', value: 'plain text' }]);
  assert.equal(await store.count(undefined, where), 3);
});

test('get filters, sorts, limits and takes an index hint', async () => {
  const where = fresh();
  for (const [word, count] of [['a', 3], ['b', 1], ['c', 2], ['d', 5]] as const) await store.put({ count }, word, where);
  assert.equal(await store.createIndex({ count: -1 }, { name: 'by_count', ...where }), 'by_count');

  const top = await store.get({}, { ...where, sort: { count: -1 }, limit: 2 });
  assert.deepEqual(top, [{ _id: 'd', count: 5 }, { _id: 'a', count: 3 }]);
  const hinted = await store.get({ count: { $gte: 2 } }, { ...where, sort: { count: 1 }, hint: 'by_count' });
  assert.deepEqual(hinted.map((document) => document['_id']), ['c', 'a', 'd']);
  const bySpec = await store.get(undefined, { ...where, sort: { _id: 1 }, hint: { count: -1 } });
  assert.equal(bySpec.length, 4);
  assert.deepEqual(await store.get('nothing', where), []);
});

test('exists, count and remove (which resolves to how many went)', async () => {
  const where = fresh();
  for (let i = 0; i < 5; i++) await store.put({ n: i, even: i % 2 === 0 }, undefined, where);
  assert.equal(await store.exists({ n: 3 }, where), true);
  assert.equal(await store.exists({ n: 9 }, where), false);
  assert.equal(await store.count({ even: true }, where), 3);
  assert.equal(await store.count(undefined, where), 5);
  assert.equal(await store.remove({ even: true }, where), 3);
  assert.equal(await store.remove({ even: true }, where), 0);
  assert.equal(await store.count(undefined, where), 2);
  await assert.rejects(store.remove(undefined, where), { code: ErrorCode.Store, message: /remove needs a query/ });
  assert.equal(await store.remove({}, where), 2);
  assert.equal(await store.count(undefined, where), 0);
});

test('createIndex on a field or a spec; a unique index makes a duplicate put fail with CATENAE_STORE', async () => {
  const where = fresh();
  assert.equal(await store.createIndex('word', where), 'word_1');
  assert.equal(await store.createIndex({ word: 1, at: -1 }, where), 'word_1_at_-1');
  assert.equal(await store.createIndex('email', { unique: true, name: 'one_email', ...where }), 'one_email');
  const indexes = await store.client.db(where.database).collection(where.collection).listIndexes().toArray();
  assert.deepEqual(indexes.map((index) => index['name']).sort(), ['_id_', 'one_email', 'word_1', 'word_1_at_-1']);
  await store.put({ email: 'x@example.org' }, undefined, where);
  await assert.rejects(store.put({ email: 'x@example.org' }, undefined, where), {
    code: ErrorCode.Store,
    message: new RegExp(`^MongoDB put on ${where.database}\\.items failed: .*duplicate key`, 'i'),
  });
});

test('update upserts by default, with $set for plain fields and operators as given', async () => {
  const where = fresh();
  assert.deepEqual(await store.update({ _id: 'w' }, { $inc: { count: 2 } }, where), { matched: 0, modified: 0, upsertedId: 'w' });
  assert.deepEqual(await store.update('w', { $inc: { count: 3 } }, where), { matched: 1, modified: 1, upsertedId: undefined });
  await store.update('w', { label: 'word' }, where);
  assert.deepEqual(await store.get('w', where), [{ _id: 'w', count: 5, label: 'word' }]);
  assert.deepEqual(await store.update('absent', { count: 1 }, { upsert: false, ...where }), { matched: 0, modified: 0, upsertedId: undefined });
  assert.equal(await store.exists('absent', where), false);
  await assert.rejects(store.update('w', { $inc: { count: 1 }, label: 'x' }, where), { code: ErrorCode.Store, message: /mixes operators/ });
});

test('push appends to an array, creating the document; $each appends several', async () => {
  const where = fresh();
  await store.push('list', 'items', 1, where);
  await store.push('list', 'items', 2, where);
  await store.push({ _id: 'list' }, 'items', { $each: [3, 4] }, where);
  assert.deepEqual(await store.get('list', where), [{ _id: 'list', items: [1, 2, 3, 4] }]);
});

test('getRandom draws distinct matching documents (random offsets where $sample is missing, as on FerretDB)', async () => {
  const where = fresh();
  for (let i = 0; i < 20; i++) await store.put({ n: i, group: i < 10 ? 'low' : 'high' }, `doc${i}`, where);
  const seen = new Set<unknown>();
  for (let round = 0; round < 10; round++) {
    const drawn = await store.getRandom({ group: 'low' }, 3, where);
    assert.equal(drawn.length, 3);
    assert.equal(new Set(drawn.map((document) => document['_id'])).size, 3, 'no repeats');
    for (const document of drawn) {
      assert.equal(document['group'], 'low');
      seen.add(document['_id']);
    }
  }
  assert.ok(seen.size > 3, `ten draws of three should not all be the same three (saw ${seen.size})`);
  assert.equal((await store.getRandom(undefined, 1, where)).length, 1);
  const all = await store.getRandom({ group: 'high' }, 50, where);
  assert.deepEqual(all.map((document) => document['n']).sort((a, b) => a - b), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  assert.deepEqual(await store.getRandom({ group: 'none' }, 2, where), []);
});

test('defaults: calls without a target use setDefaults; without either they fail with CATENAE_STORE', async () => {
  const own = (await connectMongo(ferret.address, { timeoutMs: 15_000, logger: quiet })) as MongoStore;
  try {
    await assert.rejects(own.put({ a: 1 }), { code: ErrorCode.Store, message: /no database given; call setDefaults\(database, collection\) or pass \{ database, collection \}/ });
    await assert.rejects(own.get({}, { database: 'only_db' }), { code: ErrorCode.Store, message: /no collection given/ });
    const where = fresh();
    own.setDefaults(where.database, where.collection);
    await own.put({ a: 1 }, 'k');
    assert.deepEqual(await store.get('k', where), [{ _id: 'k', a: 1 }]);
    assert.equal(await own.count({}, { collection: 'other' }), 0, 'a call\'s collection wins over the default');
  } finally {
    await own.close();
    await own.close();
  }
});

test('an unreachable MongoDB: CATENAE_STORE naming host, port and bound, within the bound', async () => {
  const port = await closedPort();
  const warnings: string[] = [];
  const started = Date.now();
  await assert.rejects(connectMongo(`127.0.0.1:${port}`, { timeoutMs: 3_000, logger: { warn: (line) => warnings.push(line) } }), {
    code: ErrorCode.Store,
    message: new RegExp(`^cannot reach MongoDB at 127\\.0\\.0\\.1:${port} within 3 s: .*ECONNREFUSED`),
  });
  const elapsedMs = Date.now() - started;
  assert.ok(elapsedMs < 5_000, `gave up after ${elapsedMs} ms`);
  assert.ok(warnings.length >= 1, 'the retries are logged');
});

test('credentials never reach the message', async () => {
  const port = await closedPort();
  await assert.rejects(connectMongo(`mongodb://user:s3cret@127.0.0.1:${port}/app`, { timeoutMs: 1_000, logger: quiet }), (err: Error) => {
    assert.match(err.message, new RegExp(`^cannot reach MongoDB at 127\\.0\\.0\\.1:${port} within 1 s`));
    assert.doesNotMatch(err.message, /s3cret/);
    return true;
  });
});

test('a link started with { mongodb } has ctx.mongodb before setup, uses it to the end, and it is closed after finish', async () => {
  const topic = uniqueName('words');
  const where = fresh();
  const events: string[] = [];

  @Link({ inputs: [topic] })
  class WordStore {
    async setup(ctx: Context) {
      const db = requireMongoStore(ctx);
      events.push('setup');
      db.client.on('topologyClosed', () => events.push('closed'));
      db.setDefaults(where.database, where.collection);
      await db.createIndex('word');
    }

    @Transform()
    async store(word: Electron<string>, ctx: Context) {
      await requireMongoStore(ctx).put({ word: word.value }, word.value);
    }

    async finish(ctx: Context) {
      events.push(`finish:${await requireMongoStore(ctx).count()}`);
    }
  }

  const handle = await startLink(WordStore, { mongodb: ferret.uri, logLevel: 'silent' });
  assert.ok(handle.ctx.mongodb instanceof MongoStore);
  const words = ['alpha', 'beta', 'gamma'];
  processEmbeddedBroker().append(
    words.map((word) => ({ topic, partition: 0, key: null, value: Buffer.from(word), headers: undefined, timestamp: undefined })),
  );
  const deadline = Date.now() + 30_000;
  while ((await store.count(undefined, where)) < words.length) {
    assert.ok(Date.now() < deadline, 'the link stored the three words within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const exit = await handle.stop();
  assert.equal(exit.ok, true, exit.reason);
  assert.deepEqual(events, ['setup', 'finish:3', 'closed']);
  assert.deepEqual((await store.get({}, { ...where, sort: { _id: 1 } })).map((document) => document['word']), words);
});

test('a link whose MongoDB cannot be reached fails to start with CATENAE_STORE, before setup', async () => {
  const port = await closedPort();
  let setupRan = false;

  @Link({ inputs: [uniqueName('never')] })
  class Unreachable {
    setup() {
      setupRan = true;
    }

    @Transform()
    handle() {}
  }

  const started = Date.now();
  await assert.rejects(startLink(Unreachable, { mongodb: `127.0.0.1:${port}`, logLevel: 'silent' }), {
    code: ErrorCode.Store,
    message: new RegExp(`^cannot reach MongoDB at 127\\.0\\.0\\.1:${port} within 15 s`),
  });
  assert.ok(Date.now() - started < 20_000, 'the runtime\'s 15 s bound holds');
  assert.equal(setupRan, false);
});
