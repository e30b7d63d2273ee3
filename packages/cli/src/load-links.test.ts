import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ElectronCodec, EmbeddedTransportFactory, processEmbeddedBroker } from '@catenae/core';
import { loadLinks, moduleUrlOf } from './load-links.js';
import { runCommand } from './run-command.js';

// A link module of core's worker tests: its handler tags each value and names its thread in a header.
const file = fileURLToPath(new URL('../../core/dist/runtime/workers/fixtures/keyed-link.js', import.meta.url));

test('loadLinks remembers the module of each link, for --workers', async () => {
  const [link] = await loadLinks([file], process.cwd());
  assert.equal(moduleUrlOf(link!), pathToFileURL(file).href);
});

test('catenae run --workers 2 handles in worker threads, loading the link file in each', async () => {
  const producer = new EmbeddedTransportFactory(processEmbeddedBroker()).create({ clientId: 'load-links-test' });
  await producer.connect();
  const codec = new ElectronCodec({});
  const records = Array.from({ length: 20 }, (_, i) => codec.encode(`v${i}`, `k${i % 3}`, 'keyed_in', undefined, undefined));
  await new Promise<void>((resolve, reject) => producer.produce(records, (err) => (err ? reject(err) : resolve())));
  await producer.close();
  const code = await runCommand([file, '--workers', '2', '--consumer-timeout', '300', '--log-level', 'silent'], {});
  assert.equal(code, 0);
  const outputs = processEmbeddedBroker().topicRecords('keyed_out').map((record) => codec.decode(record));
  assert.deepEqual(outputs.map((electron) => electron.value).sort(), records.map((_, i) => `v${i}!`).sort());
  const threads = new Set(outputs.map((electron) => String(electron.headers?.thread)));
  assert.equal(threads.has('0'), false, 'handled in worker threads, not the main thread');
});
