// examples/mongodb-sink end to end against FerretDB: through TestDriver (embedded broker), and as
// the README's `catenae run` processes on the real Kafka broker (KAFKA_BOOTSTRAP, which `pnpm test`
// starts). The example is imported from its own compiled project, examples/dist.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { MongoClient } from 'mongodb';
import { ErrorCode, TestDriver } from '@catenae/core';
import { CatenaeProcess, KAFKA, uniqueTopic } from '../support/catenae-process.js';
import { startFerretDb, type FerretDb } from '../services/ferretdb.js';

type CounterModule = typeof import('../../examples/dist/mongodb-sink/counter.js');
type MapperModule = typeof import('../../examples/dist/wordcount/mapper.js');
type TextModule = typeof import('../../examples/dist/filter/text.js');

/** A compiled example file, from test/dist/connectors. */
function example(path: string): string {
  return fileURLToPath(new URL(`../../../examples/dist/${path}`, import.meta.url));
}

const { Counter, COUNTS } = (await import(example('mongodb-sink/counter.js'))) as CounterModule;
const { Mapper, countWords } = (await import(example('wordcount/mapper.js'))) as MapperModule;
const { LINES } = (await import(example('filter/text.js'))) as TextModule;

let ferret: FerretDb;
let client: MongoClient;

before(async () => {
  ferret = await startFerretDb();
  client = new MongoClient(ferret.uri);
});

after(async () => {
  await client?.close();
  await ferret?.stop();
});

function directCount(times: number): Record<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < times; i++) {
    for (const line of LINES) for (const [word, n] of countWords(line)) counts.set(word, (counts.get(word) ?? 0) + n);
  }
  return Object.fromEntries(counts);
}

async function storedCounts(): Promise<Record<string, number>> {
  const documents = await client.db(COUNTS.database).collection<{ _id: string; count: number }>(COUNTS.collection).find().toArray();
  return Object.fromEntries(documents.map((document) => [document._id, document.count]));
}

async function clearCounts(): Promise<void> {
  await client.db(COUNTS.database).collection(COUNTS.collection).deleteMany({});
}

test('two mappers and two counters store in MongoDB exactly the direct count of the text', async () => {
  await clearCounts();
  const driver = await TestDriver.start([Mapper, Counter], {
    instances: { Mapper: 2, Counter: 2 },
    links: { Counter: { mongodb: ferret.uri } },
  });
  try {
    for (let i = 0; i < 3; i++) for (const line of LINES) await driver.send('mapper_input', line);
    await driver.drain();
    assert.deepEqual(await storedCounts(), directCount(3));
    const indexes = await client.db(COUNTS.database).collection(COUNTS.collection).listIndexes().toArray();
    assert.ok(indexes.some((index) => index['name'] === 'by_count'), 'setup created the index');
  } finally {
    await driver.close();
  }
});

test('the counter started without a MongoDB store says so', async () => {
  await assert.rejects(TestDriver.start([Counter]), { code: ErrorCode.Store, message: /needs a MongoDB store: start it with -m host:port/ });
});

test('the README\'s catenae run commands on Kafka fill MongoDB with the direct count', async () => {
  await clearCounts();
  const lines = uniqueTopic('mapper_input');
  const pairs = uniqueTopic('reducer_input');
  const run = (args: string[]) => new CatenaeProcess(['run', ...args]);
  const counter = run([example('mongodb-sink/counter.js'), '-k', KAFKA, '-i', pairs, '-m', ferret.address]);
  const mapper = run([example('wordcount/mapper.js'), '-k', KAFKA, '-i', lines, '-o', pairs]);
  try {
    await counter.waitFor((line) => line.includes(' assigned '), 60_000, 'the counter\'s assignment');
    await mapper.waitFor((line) => line.includes(' assigned '), 60_000, 'the mapper\'s assignment');
    const streamer = run([example('wordcount/streamer.js'), '-k', KAFKA, '-o', lines, '--', '--repeat', '2']);
    assert.equal(await streamer.exited, 0, streamer.stderr.join('\n'));
    const expected = directCount(2);
    const deadline = Date.now() + 60_000;
    let stored = await storedCounts();
    while (JSON.stringify(sorted(stored)) !== JSON.stringify(sorted(expected))) {
      assert.ok(Date.now() < deadline, `counts still differ after 60 s: ${JSON.stringify(stored)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      stored = await storedCounts();
    }
    assert.equal(await mapper.stop(), 0);
    assert.equal(await counter.stop(), 0);
  } finally {
    await Promise.all([mapper.stop(), counter.stop()]);
  }
});

function sorted(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
}
