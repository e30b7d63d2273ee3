import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { EmbeddedBroker, EmbeddedTransportFactory, Link, Rpc, Transform, startLink, type Electron } from '../index.js';
import { INSTANCES_TOPIC, parseAnnouncement, type InstanceAnnouncement } from './announcement.js';

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(5);
  }
}

function announcements(broker: EmbeddedBroker): InstanceAnnouncement[] {
  if (broker.partitionCount(INSTANCES_TOPIC) === undefined) return [];
  return broker.topicRecords(INSTANCES_TOPIC).map((r) => parseAnnouncement(r.value)!);
}

@Link({ inputs: ['ann_in'], output: 'ann_out' })
class Upper {
  @Transform()
  upper(e: Electron<string>) {
    if (e.value === 'bad') throw new Error('cannot shout bad');
    return e.value.toUpperCase();
  }
  @Rpc() ping() {
    return 'pong';
  }
}

describe('instance announcements', () => {
  it('a running instance announces itself at start, every interval with its counts, and as it stops', async () => {
    const broker = new EmbeddedBroker();
    const handle = await startLink(Upper, { transport: new EmbeddedTransportFactory(broker), announceIntervalMs: 40, retries: 0, logLevel: 'silent', uid: 'aaaaaaaaaaaa' });
    try {
      await waitFor(() => announcements(broker).length >= 1, 'the first announcement');
      const first = announcements(broker)[0]!;
      assert.equal(first.state, 'running');
      assert.equal(first.link, 'Upper');
      assert.equal(first.uid, 'aaaaaaaaaaaa');
      assert.equal(first.pid, process.pid);
      assert.equal(first.consumerGroup, 'catenae_upper');
      assert.deepEqual(first.inputs, ['ann_in']);
      assert.deepEqual(first.outputs, ['ann_out']);
      assert.deepEqual(first.rpcMethods, ['ping']);
      assert.equal(first.mode, 'async');
      assert.equal(first.intervalMs, 40);
      assert.match(first.version, /^\d+\.\d+\.\d+/);
      assert.equal(broker.topicRecords(INSTANCES_TOPIC)[0]!.key?.toString(), 'aaaaaaaaaaaa', 'keyed by uid, so compaction keeps each instance\'s last word');

      const send = (value: string) => broker.append([{ topic: 'ann_in', partition: undefined, key: null, value: Buffer.from(value), headers: undefined, timestamp: undefined }]);
      for (let i = 0; i < 20; i++) send(`w${i}`);
      send('bad');
      const last = () => announcements(broker).at(-1)!;
      await waitFor(() => last().in[0]?.total === 21 && last().out.some((o) => o.topic === 'ann_out' && o.total === 20) && last().deadLetters === 1, 'counts in a later announcement');
      const counted = last();
      assert.deepEqual(counted.in.map((f) => f.topic), ['ann_in']);
      assert.ok(counted.outputs.includes('ann_in.dlq'), 'a dead-letter topic is an output too');
      assert.equal(counted.errors, 1);
      assert.match(counted.recentErrors[0]!.message, /cannot shout bad/);
      assert.equal(counted.partitions.length, broker.partitionCount('ann_in'), 'the only instance owns every partition');
      assert.ok(announcements(broker).filter((a) => a.state === 'running').length >= 2, 'announced again while running');
    } finally {
      await handle.stop();
    }
    await waitFor(() => announcements(broker).some((a) => a.state === 'stopped'), 'the announcement once stopped');
    const states = announcements(broker).map((a) => a.state);
    assert.ok(states.indexOf('stopping') < states.indexOf('stopped'), 'stopping is announced before stopped');
    const count = announcements(broker).length;
    await delay(120);
    assert.equal(announcements(broker).length, count, 'nothing is announced after the stop');
  });

  it('on the embedded broker nothing is announced unless asked for', async () => {
    const broker = new EmbeddedBroker();
    const handle = await startLink(Upper, { transport: new EmbeddedTransportFactory(broker), logLevel: 'silent' });
    await handle.stop();
    assert.equal(broker.partitionCount(INSTANCES_TOPIC), undefined);
  });

  it('a negative interval is refused with one line', async () => {
    await assert.rejects(startLink(Upper, { transport: new EmbeddedTransportFactory(new EmbeddedBroker()), announceIntervalMs: -1, logLevel: 'silent' }), { code: 'CATENAE_BAD_FLAG' });
  });

  it('parseAnnouncement skips what is not an announcement', () => {
    assert.equal(parseAnnouncement(Buffer.from('not json')), undefined);
    assert.equal(parseAnnouncement(Buffer.from('{"format":2}')), undefined);
    assert.equal(parseAnnouncement(null), undefined);
  });
});
