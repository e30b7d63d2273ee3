import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ElectronCodec, EmbeddedTransportFactory, ErrorCode, processEmbeddedBroker } from '@catenae/core';
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

test('a link file that fails to load is named with the file and line where it failed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'catenae-load-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }');
  await writeFile(join(dir, 'syntax.js'), 'export class Broken {\n  count = = 1;\n}\n');
  await writeFile(join(dir, 'imports-broken.js'), "import './syntax.js';\nexport const x = 1;\n");
  await writeFile(join(dir, 'throws.js'), 'const config = null;\nexport const port = config.port;\n');
  const cases: [string, RegExp][] = [
    ['syntax.js', /^cannot load syntax\.js: SyntaxError: Unexpected token '=' \(at syntax\.js:2\)$/],
    ['imports-broken.js', /^cannot load imports-broken\.js: SyntaxError: Unexpected token '=' \(at syntax\.js:2\)$/],
    ['throws.js', /^cannot load throws\.js: TypeError: Cannot read properties of null \(reading 'port'\) \(at throws\.js:2:\d+\)$/],
  ];
  for (const [file, expected] of cases) {
    await assert.rejects(loadLinks([file], dir), (err: Error & { code?: string }) => {
      assert.equal(err.code, ErrorCode.NoLink);
      assert.match(err.message, expected);
      assert.ok(err.cause instanceof Error, 'the error itself is kept as cause');
      return true;
    });
  }
});
