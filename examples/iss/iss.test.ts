import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { TestDriver } from '@catenae/core';
import { Displacement, type LongitudeChange } from './displacement.js';
import { isIssNow, longitudeDisplacement, type IssNow } from './position.js';
import { readPositions } from './read-positions.js';
import { ISS_API_URL, IssSource, SAMPLE_URL, parseSourceArgs } from './source.js';

const sample = JSON.parse(await readFile(SAMPLE_URL, 'utf8')) as IssNow[];

/** An HTTP server answering each request with the next of `responses`: a status, a JSON body, or `'drop'` (closes the connection). */
async function serve(responses: (number | object | 'drop')[]): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((_, res) => {
    const response = responses[Math.min(requests++, responses.length - 1)]!;
    if (response === 'drop') res.socket?.destroy();
    else if (typeof response === 'number') res.writeHead(response).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/iss-now.json`, requests: () => requests };
}

test('the sample is several positions in the API\'s shape', () => {
  assert.ok(sample.length >= 5);
  assert.ok(sample.every(isIssNow));
});

test('--sample replays every recorded position, and the displacement link measures each from the first', async () => {
  const driver = await TestDriver.start([Displacement, IssSource], {
    links: { Displacement: { args: ['--quiet'] }, IssSource: { args: ['--sample', '--interval-ms', '0'] } },
  });
  try {
    await driver.drain();
    const positions = driver.read<IssNow>('iss_positions');
    assert.deepEqual(positions.map((e) => e.value), sample, 'the parsed JSON travels as it is');
    assert.ok(positions.every((e) => e.key === 'iss'));
    const changes = driver.read<LongitudeChange>('iss_displacements').map((e) => e.value);
    assert.deepEqual(changes.map((c) => c.timestamp), sample.map((p) => p.timestamp), 'in the recorded order');
    const first = Number(sample[0]!.iss_position.longitude);
    const expected = sample.map((p) => Math.round(longitudeDisplacement(first, Number(p.iss_position.longitude)) * 1e4) / 1e4);
    assert.deepEqual(changes.map((c) => c.displacement), expected);
    assert.equal(changes[0]!.displacement, 0);
    // The recording crosses the antimeridian (178.3306 → -179.3484): the displacement keeps growing.
    assert.equal(changes[4]!.displacement, 8.9768);
    assert.ok(changes.every((c, i) => i === 0 || c.displacement > changes[i - 1]!.displacement));
  } finally {
    await driver.close();
  }
});

test('a longitude displacement stays within [-180, 180) across the antimeridian', () => {
  assert.equal(longitudeDisplacement(179, -179), 2);
  assert.equal(longitudeDisplacement(-179, 179), -2);
  assert.equal(longitudeDisplacement(10, 15), 5);
  assert.equal(longitudeDisplacement(0, 180), -180);
});

test('an http URL is polled every interval: the source emits what the server answers, skipping what is not a position', async () => {
  const positions = sample.slice(0, 3);
  const { server, url, requests } = await serve([{ message: 'failure' }, ...positions]);
  const driver = await TestDriver.start([IssSource], {
    links: { IssSource: { args: ['--url', url, '--interval-ms', '5', '--count', '3'], logLevel: 'error' } },
  });
  try {
    await driver.drain();
    assert.deepEqual(driver.read('iss_positions').map((e) => e.value), positions);
    assert.equal(requests(), 4);
  } finally {
    await driver.close();
    server.close();
  }
});

test('network errors and error statuses are reported, and the next interval tries again', async () => {
  const { server, url } = await serve(['drop', 503, sample[0]!]);
  const errors: string[] = [];
  try {
    const positions = readPositions(new URL(url), 1, (message) => errors.push(message));
    assert.deepEqual((await positions.next()).value, sample[0]);
    await positions.return(undefined);
    assert.equal(errors.length, 2);
    assert.match(errors[0]!, /^cannot read http:\/\/127\.0\.0\.1:\d+\/iss-now\.json: fetch failed/);
    assert.match(errors[1]!, /HTTP 503/);
  } finally {
    server.close();
  }
});

test('a file that cannot be read stops the source with a failure naming it', async () => {
  const missing = new URL('./no-such-recording.json', SAMPLE_URL);
  const driver = await TestDriver.start([IssSource], { links: { IssSource: { args: ['--url', missing.href], logLevel: 'silent' } } });
  try {
    const exit = await driver.instances('IssSource')[0]!.done;
    assert.equal(exit.ok, false);
    assert.match(exit.reason, /^cannot read file:.*no-such-recording\.json: ENOENT/);
  } finally {
    await driver.close();
  }
});

test('the source\'s arguments: the live API by default, --sample, file URLs, and clear errors', () => {
  assert.equal(parseSourceArgs([]).url.href, ISS_API_URL);
  assert.equal(parseSourceArgs([]).intervalMs, 1000);
  assert.equal(parseSourceArgs(['--sample']).url.href, SAMPLE_URL.href);
  assert.deepEqual(parseSourceArgs(['--url', 'file:///tmp/iss.json', '--interval-ms', '0', '--count', '2']), { url: new URL('file:///tmp/iss.json'), intervalMs: 0, count: 2 });
  assert.throws(() => parseSourceArgs(['--url', 'ftp://example.org/iss']), /--url "ftp:\/\/example.org\/iss" is not http/);
  assert.throws(() => parseSourceArgs(['--url', 'nowhere']), /is not a URL/);
  assert.throws(() => parseSourceArgs(['--sample', '--url', 'file:///tmp/iss.json']), /not both/);
  assert.throws(() => parseSourceArgs(['--interval-ms', 'soon']), /--interval-ms "soon" is not a whole number/);
});
