import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const DEMO = fileURLToPath(new URL('../../../scripts/demo.mjs', import.meta.url));

it('pnpm demo counts the whole text on the broker with two reducers, answers by key, stops by itself and leaves no process behind', { timeout: 180_000 }, async () => {
  const port = /:(\d+)$/.exec(process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092')![1]!;
  const child = spawn(process.execPath, [DEMO], { env: { ...process.env, KAFKA_PORT: port, DEMO_REPEAT: '2' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, stderr);
  const expected = /counting (\d+) words/.exec(stderr)![1];
  assert.match(stdout.trim().split('\n').at(-1)!, new RegExp(`^\\[tally\\] counted ${expected} words`));
  // The top words of the tally's last line, asked of the reducers by key, have the same counts.
  const top = /top: (.*)$/.exec(stdout.trim().split('\n').at(-1)!)![1]!;
  assert.match(stderr, new RegExp(`asked the reducers by key: ${top.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const pids = /link processes ([\d,]+) have exited/.exec(stderr)![1]!.split(',').map(Number);
  assert.equal(pids.length, 7, 'a streamer, three mappers, two reducers and a tally');
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} is gone`);
});
