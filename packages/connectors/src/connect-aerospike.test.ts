import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { connectAerospike } from './connect-aerospike.js';

/** A local port nothing listens on (taken and released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('the real client against a port with no server: CATENAE_STORE within the bound, after retries', async () => {
  const port = await closedPort();
  const warnings: string[] = [];
  const started = Date.now();
  await assert.rejects(connectAerospike(`127.0.0.1:${port}`, { timeoutMs: 2_000, logger: { warn: (line) => warnings.push(line) } }), {
    code: ErrorCode.Store,
    message: new RegExp(`^cannot reach Aerospike at 127\\.0\\.0\\.1:${port} within 2 s: `),
  });
  const elapsedMs = Date.now() - started;
  assert.ok(elapsedMs < 4_000, `gave up after ${elapsedMs} ms`);
  assert.ok(warnings.length >= 1 && warnings.every((line) => line.includes('not reachable')), warnings.join('\n'));
});

test('a malformed address fails at once, before the client is loaded', async () => {
  await assert.rejects(connectAerospike('host:port', { timeoutMs: 15_000, logger: { warn: () => undefined } }), { code: ErrorCode.Store, message: /is not host:port/ });
});
