import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmbeddedBroker, TestDriver } from '@catenae/core';
import { Producer, parseProducerArgs } from './producer.js';
import { ALERTS_TOPIC, ROUTINE_TOPIC } from './topics.js';
import { Triage } from './triage.js';

/** Fills both topics with the producer, then runs Triage with --input-mode priority over the backlog; returns the handling order. */
async function triageBacklog(routine: number, alerts: number): Promise<string[]> {
  const broker = new EmbeddedBroker();
  const producer = await TestDriver.start([Producer], { broker, links: { Producer: { args: ['--routine', String(routine), '--alerts', String(alerts)] } } });
  await producer.drain();
  await producer.close();
  assert.equal(broker.topicRecords(ROUTINE_TOPIC).length, routine);
  assert.equal(broker.topicRecords(ALERTS_TOPIC).length, alerts);
  const driver = await TestDriver.start([Triage], { broker, links: { Triage: { inputMode: 'priority', args: ['--quiet'] } } });
  try {
    await driver.drain();
    return [...(driver.instances('Triage')[0]!.instance as Triage).handled];
  } finally {
    await driver.close();
  }
}

test('with --input-mode priority, every waiting alert is handled before the first routine message', async () => {
  const handled = await triageBacklog(500, 20);
  assert.equal(handled.length, 520);
  assert.deepEqual(handled.slice(0, 20).map((line) => line.split(' ')[0]), Array(20).fill('ALERT'));
  assert.deepEqual(handled.slice(0, 20).sort(), Array.from({ length: 20 }, (_, i) => `ALERT alert-${i}`).sort());
  assert.ok(handled.slice(20).every((line) => line.startsWith('routine ')));
});

test('the producer\'s counts default to 100 routine messages and 10 alerts; bad counts are refused', () => {
  assert.deepEqual(parseProducerArgs([]), { routine: 100, alerts: 10 });
  assert.deepEqual(parseProducerArgs(['--routine', '0', '--alerts', '3']), { routine: 0, alerts: 3 });
  assert.throws(() => parseProducerArgs(['--alerts', 'many']), /--alerts "many" is not a whole number/);
  assert.throws(() => parseProducerArgs(['--urgent', '1']), /Unknown option '--urgent'/);
});
