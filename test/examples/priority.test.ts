// examples/priority as its README runs it, on the real broker (KAFKA_BOOTSTRAP): the producer fills
// both topics, then Triage reads the backlog with --input-mode priority. Topics of its own come
// through ALERTS_TOPIC / ROUTINE_TOPIC, as the example reads them.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { uniqueTopic, type CatenaeProcess } from '../support/catenae-process.js';
import { writtenCount } from '../support/kafka-admin.js';
import { runExample, stopAll } from './example-process.js';

const running: CatenaeProcess[] = [];
afterEach(() => stopAll(running));

describe('examples/priority on Kafka', { timeout: 60_000 }, () => {
  it('the waiting alerts are handled before any routine message, though they were written last', async () => {
    const env = { ALERTS_TOPIC: uniqueTopic('alerts'), ROUTINE_TOPIC: uniqueTopic('routine') };
    const producer = runExample(running, 'priority/producer.js', ['--', '--routine', '300', '--alerts', '20'], env);
    assert.equal(await producer.exited, 0, producer.stderr.join('\n'));
    assert.equal(await writtenCount(env.ROUTINE_TOPIC, 4), 300);
    assert.equal(await writtenCount(env.ALERTS_TOPIC, 4), 20);

    const triage = runExample(running, 'priority/triage.js', ['--input-mode', 'priority', '-g', uniqueTopic('triage')], env);
    await triage.waitFor(() => triage.stdout.length >= 320, 30_000, '320 handled messages');
    const kinds = triage.stdout.map((line) => line.split(' ')[0]);
    assert.deepEqual(kinds.slice(0, 20), Array(20).fill('ALERT'), triage.stdout.slice(0, 25).join('\n'));
    assert.deepEqual(new Set(kinds.slice(20)), new Set(['routine']));
    assert.deepEqual(triage.stdout.slice(0, 20).sort(), Array.from({ length: 20 }, (_, i) => `ALERT alert-${i}`).sort());
    assert.equal(new Set(triage.stdout).size, 320, 'each message once');
    assert.equal(await triage.stop(), 0);
  });
});
