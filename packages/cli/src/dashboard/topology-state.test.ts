import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstanceAnnouncement } from '@catenae/core';
import { TopologyState } from './topology-state.js';

function announcement(over: Partial<InstanceAnnouncement>): InstanceAnnouncement {
  return {
    format: 1,
    link: 'Mapper',
    uid: 'u1',
    host: 'h1',
    pid: 1,
    state: 'running',
    at: 1_000_000,
    startedAt: 999_000,
    intervalMs: 10_000,
    version: '0.1.0',
    mode: 'async',
    consumerGroup: 'catenae_mapper',
    inputs: ['lines'],
    outputs: ['words'],
    partitions: [{ topic: 'lines', partition: 0 }],
    rpcMethods: [],
    isRestoring: false,
    in: [{ topic: 'lines', total: 100, perSecond: 10 }],
    out: [{ topic: 'words', total: 300, perSecond: 30 }],
    errors: 0,
    deadLetters: 0,
    deliveryErrors: 0,
    recentErrors: [],
    lag: [{ topic: 'lines', partition: 0, lag: 5 }],
    rpcServed: {},
    ...over,
  };
}

describe('TopologyState', () => {
  it('adds up the running instances of a link, and draws links reading and writing topics', () => {
    const state = new TopologyState();
    state.add(announcement({ uid: 'u1' }), 1_000_000);
    state.add(announcement({ uid: 'u2', pid: 2, partitions: [{ topic: 'lines', partition: 1 }], lag: [{ topic: 'lines', partition: 1, lag: 7 }] }), 1_000_000);
    state.add(announcement({ link: 'Counter', uid: 'c1', pid: 3, inputs: ['words'], outputs: [], out: [], in: [{ topic: 'words', total: 600, perSecond: 60 }], tables: { counts: 42 }, rpcMethods: ['top'] }), 1_000_000);
    const snapshot = state.snapshot(1_001_000);
    const mapper = snapshot.links.find((l) => l.name === 'Mapper')!;
    assert.equal(mapper.kind, 'middle');
    assert.equal(mapper.live, 2);
    assert.equal(mapper.inPerSecond, 20);
    assert.equal(mapper.outPerSecond, 60);
    assert.equal(mapper.lag, 12);
    assert.deepEqual(mapper.lagByPartition.map((p) => [p.partition, p.lag, p.uid]), [[0, 5, 'u1'], [1, 7, 'u2']]);
    const counter = snapshot.links.find((l) => l.name === 'Counter')!;
    assert.equal(counter.kind, 'leaf');
    assert.deepEqual(counter.tables, { counts: 42 });
    assert.deepEqual(counter.rpcMethods, ['top']);
    assert.deepEqual(snapshot.topics.map((t) => t.name).sort(), ['lines', 'words']);
    assert.deepEqual(
      snapshot.edges.map((e) => `${e.from} ${e.to} ${e.perSecond}`).sort(),
      ['link:Mapper topic:words 60', 'topic:lines link:Mapper 20', 'topic:words link:Counter 60'],
    );
  });

  it('counts instances of one link sharing a process once: their channels are the same', () => {
    const state = new TopologyState();
    state.add(announcement({ uid: 'u1' }), 1_000_000);
    state.add(announcement({ uid: 'u2' }), 1_000_000);
    const mapper = state.snapshot(1_000_000).links[0]!;
    assert.equal(mapper.live, 2);
    assert.equal(mapper.inPerSecond, 10);
  });

  it('draws no dead-letter, changelog or Catenae topics, but counts dead letters on the link', () => {
    const state = new TopologyState();
    state.add(
      announcement({
        outputs: ['words', 'lines.dlq', 'catenae_mapper.counts.changelog'],
        out: [{ topic: 'words', total: 1, perSecond: 1 }, { topic: 'lines.dlq', total: 2, perSecond: 2 }],
        deadLetters: 2,
        errors: 8,
        recentErrors: [{ at: 1, topic: 'lines', action: 'dead-letter', message: 'Error: boom' }],
      }),
    );
    const snapshot = state.snapshot(1_000_000);
    assert.deepEqual(snapshot.topics.map((t) => t.name).sort(), ['lines', 'words']);
    const mapper = snapshot.links[0]!;
    assert.deepEqual(mapper.deadLetterTopics, ['lines.dlq']);
    assert.equal(mapper.outPerSecond, 1);
    assert.equal(mapper.deadLetters, 2);
    assert.equal(mapper.recentErrors[0]!.uid, 'u1');
  });

  it('an instance silent for three intervals is gone, a stopping one is stopped after one, and long silence is forgotten', () => {
    const state = new TopologyState({ forgetAfterMs: 60_000 });
    state.add(announcement({ uid: 'u1', at: 1_000_000 }), 1_000_000);
    state.add(announcement({ uid: 'u2', pid: 2, state: 'stopping', at: 1_000_000 }), 1_000_000);
    const status = (now: number) => Object.fromEntries(state.snapshot(now).links[0]!.instances.map((i) => [i.uid, i.status]));
    assert.deepEqual(status(1_005_000), { u1: 'running', u2: 'stopping' });
    assert.deepEqual(status(1_031_000), { u1: 'running', u2: 'stopped' });
    assert.deepEqual(status(1_033_000), { u1: 'gone', u2: 'stopped' });
    const down = state.snapshot(1_033_000).links[0]!;
    assert.equal(down.live, 0);
    assert.equal(down.inPerSecond, 0, 'figures count only instances that run');
    assert.deepEqual(down.inputs, ['lines'], 'a link whose instances are all gone keeps its place in the graph');
    assert.equal(state.snapshot(1_061_000).links.length, 0);
    assert.equal(state.size, 0);
  });

  it('keeps the newest announcement of an instance, and never trusts a clock ahead of its own', () => {
    const state = new TopologyState();
    state.add(announcement({ at: 2_000_000, in: [{ topic: 'lines', total: 9, perSecond: 9 }] }), 2_000_000);
    state.add(announcement({ at: 1_990_000, in: [{ topic: 'lines', total: 1, perSecond: 1 }] }), 2_000_000);
    assert.equal(state.snapshot(2_000_000).links[0]!.inPerSecond, 9);
    const ahead = new TopologyState();
    ahead.add(announcement({ at: 5_000_000 }), 1_000_000);
    assert.equal(ahead.snapshot(1_033_000).links[0]!.instances[0]!.status, 'gone');
  });
});
