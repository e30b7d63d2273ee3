import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { channel } from 'node:diagnostics_channel';
import { DiagnosticsChannel, consumedChannel, failedChannel, producedChannel, rebalanceChannel, rpcChannel, tableSizesChannel } from '../diagnostics.js';
import { InstanceCounters } from './instance-counters.js';

const record = (topic: string) => ({ topic, partition: 0, offset: 0, key: null, value: null, headers: undefined, timestamp: 0 });
const out = (topic: string) => ({ topic, partition: undefined, key: null, value: null, headers: undefined, timestamp: undefined });

describe('InstanceCounters', () => {
  it('counts electrons per topic from batches, with rates over the time between snapshots', () => {
    const counters = new InstanceCounters('Mapper', 'u1', 'Mapper-u1', undefined, 0);
    counters.attach();
    try {
      consumedChannel.publish({ link: 'Mapper', records: [record('a'), record('a'), record('b'), record('a')] });
      consumedChannel.publish({ link: 'Other', records: [record('a')] });
      producedChannel.publish({ link: 'Mapper', records: [out('x'), out('x'), out('x.dlq')], error: null });
      producedChannel.publish({ link: 'Mapper', records: [out('x')], error: new Error('refused') });
      const first = counters.snapshot(2000);
      assert.deepEqual(first.in, [
        { topic: 'a', total: 3, perSecond: 1.5 },
        { topic: 'b', total: 1, perSecond: 0.5 },
      ]);
      assert.deepEqual(first.out, [
        { topic: 'x', total: 2, perSecond: 1 },
        { topic: 'x.dlq', total: 1, perSecond: 0.5 },
      ]);
      assert.equal(first.deliveryErrors, 1);
      assert.deepEqual(counters.outputTopics.sort(), ['x', 'x.dlq']);
      consumedChannel.publish({ link: 'Mapper', records: [record('a')] });
      const second = counters.snapshot(4000);
      assert.deepEqual(second.in[0], { topic: 'a', total: 4, perSecond: 0.5 });
      assert.deepEqual(second.in[1], { topic: 'b', total: 1, perSecond: 0 });
    } finally {
      counters.detach();
    }
  });

  it('counts the batches of a link reading one topic without looking at their records', () => {
    const counters = new InstanceCounters('Single', 'u1', 'Single-u1', () => 'only', 0);
    counters.attach();
    try {
      consumedChannel.publish({ link: 'Single', records: [record('only'), record('only'), record('only')] });
      assert.deepEqual(counters.snapshot(1000).in, [{ topic: 'only', total: 3, perSecond: 3 }]);
    } finally {
      counters.detach();
    }
  });

  it('keeps failures, dead letters and the last ten errors, newest last', () => {
    const counters = new InstanceCounters('Mapper', 'u1', 'Mapper-u1');
    counters.attach();
    try {
      for (let i = 0; i < 12; i++) failedChannel.publish({ link: 'Mapper', topic: 'a', action: i % 4 === 3 ? 'dead-letter' : 'retry', error: new Error(`boom ${i}`) });
      const snapshot = counters.snapshot();
      assert.equal(snapshot.errors, 12);
      assert.equal(snapshot.deadLetters, 3);
      assert.equal(snapshot.recentErrors.length, 10);
      assert.equal(snapshot.recentErrors[9]!.message, 'Error: boom 11');
      assert.equal(snapshot.recentErrors[9]!.action, 'dead-letter');
    } finally {
      counters.detach();
    }
  });

  it("follows its own instance's partitions, lag, table sizes and RPC calls served", () => {
    const counters = new InstanceCounters('Reducer', 'u1', 'Reducer-u1');
    counters.attach();
    try {
      rebalanceChannel.publish({ link: 'Reducer', uid: 'u1', kind: 'assigned', partitions: [{ topic: 'a', partition: 1 }, { topic: 'a', partition: 0 }] });
      rebalanceChannel.publish({ link: 'Reducer', uid: 'u2', kind: 'assigned', partitions: [{ topic: 'a', partition: 2 }] });
      rebalanceChannel.publish({ link: 'Reducer', uid: 'u1', kind: 'revoked', partitions: [{ topic: 'a', partition: 1 }] });
      channel(DiagnosticsChannel.kafkaConsumerLag).publish({ clientId: 'Reducer-u1', partitions: [{ topic: 'a', partition: 0, lag: 7 }, { topic: 'a', partition: 1, lag: 3 }] });
      channel(DiagnosticsChannel.kafkaConsumerLag).publish({ clientId: 'Reducer-u1-rpc', partitions: [{ topic: 'inbox', partition: 0, lag: 1 }] });
      tableSizesChannel.publish({ link: 'Reducer', uid: 'u1', sizes: { counts: 42 } });
      rpcChannel.publish({ link: 'Reducer', method: 'snapshot', role: 'served', outcome: 'ok', durationMs: 1 });
      rpcChannel.publish({ link: 'Reducer', method: 'snapshot', role: 'called', outcome: 'ok', durationMs: 1 });
      const snapshot = counters.snapshot();
      assert.deepEqual(snapshot.partitions, [{ topic: 'a', partition: 0 }]);
      assert.deepEqual(snapshot.lag, [{ topic: 'a', partition: 0, lag: 7 }], 'the lag of partitions it owns only');
      assert.deepEqual(snapshot.tables, { counts: 42 });
      assert.deepEqual(snapshot.rpcServed, { snapshot: 1 });
    } finally {
      counters.detach();
    }
  });

  it('detached, it leaves the channels without subscribers: the runtime builds no message', () => {
    const counters = new InstanceCounters('Mapper', 'u1', 'Mapper-u1');
    counters.attach();
    assert.ok(consumedChannel.hasSubscribers);
    counters.detach();
    assert.equal(consumedChannel.hasSubscribers, false);
    assert.equal(producedChannel.hasSubscribers, false);
  });
});
