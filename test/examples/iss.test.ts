// examples/iss as its README runs it: the displacement link and the source as `catenae run`
// processes on the real broker (KAFKA_BOOTSTRAP), with topics of their own.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { uniqueTopic, type CatenaeProcess } from '../support/catenae-process.js';
import { consumePlain } from '../support/plain-kafka.js';
import { runExample, stopAll } from './example-process.js';

type Position = { timestamp: number; iss_position: { longitude: string } };
const sample = JSON.parse(await readFile(new URL('../../../examples/iss/sample.json', import.meta.url), 'utf8')) as Position[];

const running: CatenaeProcess[] = [];
afterEach(() => stopAll(running));

/** The displacement link's stdout lines for these positions, as the Python SecondLink prints them. */
function differenceLines(positions: Position[]): string[] {
  const first = Number(positions[0]!.iss_position.longitude);
  return positions.map((p) => {
    const longitude = Number(p.iss_position.longitude);
    let difference = (longitude - first) % 360;
    if (difference >= 180) difference -= 360;
    if (difference < -180) difference += 360;
    return `Current longitude difference: ${(Math.round(difference * 1e4) / 1e4).toFixed(4)} (longitude ${longitude} at ${p.timestamp})`;
  });
}

async function startDisplacement(positions: string, changes: string): Promise<CatenaeProcess> {
  const displacement = runExample(running, 'iss/displacement.js', ['-i', positions, '-o', changes]);
  await displacement.waitFor((line) => line.includes(' assigned '), 30_000, 'the displacement link\'s assignment');
  return displacement;
}

describe('examples/iss on Kafka', { timeout: 60_000 }, () => {
  it('--sample: the source replays the recording and exits 0; the displacement link prints and emits every difference in order', async () => {
    const positions = uniqueTopic('iss_positions');
    const changes = uniqueTopic('iss_displacements');
    const displacement = await startDisplacement(positions, changes);
    const source = runExample(running, 'iss/source.js', ['-o', positions, '--', '--sample', '--interval-ms', '50']);
    assert.equal(await source.exited, 0, source.stderr.join('\n'));
    assert.ok(source.stderr.some((line) => line.includes(`reading ${new URL('../../../examples/iss/sample.json', import.meta.url).href}`)));
    await displacement.waitFor(() => displacement.stdout.length >= sample.length, 30_000, `${sample.length} differences`);
    assert.deepEqual(displacement.stdout, differenceLines(sample));
    const emitted = await consumePlain(changes, sample.length, 30_000);
    assert.equal(emitted.length, sample.length);
    assert.ok(emitted.every((record) => record.key === 'iss'), 'the key the source set travels on');
    assert.equal(await displacement.stop(), 0);
  });

  it('--url http://...: the source polls the server every interval, logs a failed request and goes on', async () => {
    let requests = 0;
    const server = createServer((_, res) => {
      const n = requests++;
      if (n === 1) res.writeHead(503).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(sample[Math.min(n, sample.length - 1)]));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/iss-now.json`;
    try {
      const positions = uniqueTopic('iss_positions');
      const changes = uniqueTopic('iss_displacements');
      const displacement = await startDisplacement(positions, changes);
      const source = runExample(running, 'iss/source.js', ['-o', positions, '--', '--url', url, '--interval-ms', '50', '--count', '3']);
      assert.equal(await source.exited, 0, source.stderr.join('\n'));
      assert.ok(source.stderr.some((line) => line.includes(`cannot read ${url}: HTTP 503`)), 'the failed request is logged');
      await displacement.waitFor(() => displacement.stdout.length >= 3, 30_000, '3 differences');
      assert.deepEqual(displacement.stdout, differenceLines([sample[0]!, sample[2]!, sample[3]!]));
      assert.equal(await displacement.stop(), 0);
    } finally {
      server.close();
    }
  });

  it('a bad argument stops the source with one line naming it', async () => {
    const source = runExample(running, 'iss/source.js', ['-o', uniqueTopic('iss_positions'), '--', '--url', 'ftp://example.org/iss']);
    assert.notEqual(await source.exited, 0);
    assert.ok(source.stderr.some((line) => line.includes('--url "ftp://example.org/iss" is not http://, https:// or file://')), source.stderr.join('\n'));
  });
});

