// `pnpm test`: every test of the repository in one node:test run (so its summary is the last
// thing printed), with a local Kafka broker for the integration tests: started here unless one
// already answers on KAFKA_PORT, and stopped afterwards if it was started here.
// `--unit` runs only the tests that need no broker.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const unitOnly = process.argv.includes('--unit');
const port = Number(process.env.KAFKA_PORT ?? 9092);

function testFiles(dir) {
  const found = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return found;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) found.push(...testFiles(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const unitDirs = ['packages/core/dist', 'packages/kafka/dist', 'packages/cli/dist', 'packages/connectors/dist', 'examples/dist'];
const files = unitDirs.flatMap((dir) => testFiles(join(root, dir)));
if (!unitOnly) files.push(...testFiles(join(root, 'test/dist')));

let startedBroker = false;
let kafka;
if (!unitOnly) {
  kafka = await import(join(root, 'packages/kafka/dist/index.js'));
  startedBroker = !(await kafka.kafkaUp({ port, logger: { info: (line) => process.stderr.write(`${line}\n`) } })).alreadyRunning;
}

const env = { ...process.env, KAFKA_BOOTSTRAP: `127.0.0.1:${port}`, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '64' };
const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit', env, cwd: root });
const code = await new Promise((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
if (startedBroker) await kafka.kafkaDown({ port, logger: { info: () => {} } });
process.exit(code);
