import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstanceAnnouncement } from '@catenae/core';
import { TopologyDrawer } from './draw-topology.js';
import { TopologyState } from './topology-state.js';

function link(name: string, inputs: string[], outputs: string[], perSecond: number): InstanceAnnouncement {
  return {
    format: 1, link: name, uid: `${name}-1`, host: 'h', pid: name.length * 1000 + name.charCodeAt(0), state: 'running', at: 1000, startedAt: 0, intervalMs: 10_000,
    version: '0.1.0', mode: 'async', consumerGroup: null, inputs, outputs, partitions: [], rpcMethods: [], isRestoring: false,
    in: inputs.map((topic) => ({ topic, total: 1, perSecond })), out: outputs.map((topic) => ({ topic, total: 1, perSecond })),
    errors: 0, deadLetters: 0, deliveryErrors: 0, recentErrors: [], lag: [], rpcServed: {},
  };
}

// A dozen links: a source, fan-out to four mappers, two joins, a chain, and leaves.
function dozen(perSecond: number): TopologyState {
  const state = new TopologyState();
  const links = [
    link('Source', [], ['raw'], perSecond),
    ...[1, 2, 3, 4].map((i) => link(`Parse${i}`, ['raw'], [`parsed${i}`], perSecond)),
    link('JoinA', ['parsed1', 'parsed2'], ['joined_a'], perSecond),
    link('JoinB', ['parsed3', 'parsed4'], ['joined_b'], perSecond),
    link('Merge', ['joined_a', 'joined_b'], ['merged'], perSecond),
    link('Enrich', ['merged'], ['enriched'], perSecond),
    link('Archive', ['enriched'], [], perSecond),
    link('Alert', ['enriched'], [], perSecond),
    link('Audit', ['raw'], [], perSecond),
  ];
  for (const a of links) state.add(a, 1000);
  return state;
}

describe('TopologyDrawer', () => {
  it('lays a dozen links out left to right without overlapping boxes', () => {
    const drawing = new TopologyDrawer().draw(dozen(5).snapshot(1000));
    assert.equal(drawing.nodes.filter((n) => n.shape !== 'topic').length, 12);
    for (const a of drawing.nodes) {
      for (const b of drawing.nodes) {
        if (a === b) continue;
        const overlaps = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        assert.ok(!overlaps, `${a.id} and ${b.id} overlap`);
      }
    }
    const x = (id: string) => drawing.nodes.find((n) => n.id === id)!.x;
    assert.ok(x('link:Source') < x('topic:raw') && x('topic:raw') < x('link:Parse1') && x('link:Merge') < x('link:Enrich') && x('link:Enrich') < x('link:Alert'));
    assert.equal(drawing.edges.length, 23);
    assert.ok(drawing.edges.every((e) => e.perSecond === 5 && e.path.startsWith('M')));
  });

  it('keeps every box in place while only the figures change', () => {
    const drawer = new TopologyDrawer();
    const before = drawer.draw(dozen(5).snapshot(1000));
    const after = drawer.draw(dozen(123_456).snapshot(1000));
    assert.deepEqual(after.nodes.map((n) => [n.id, n.x, n.y, n.width]), before.nodes.map((n) => [n.id, n.x, n.y, n.width]));
    const source = after.nodes.find((n) => n.id === 'link:Source')!;
    assert.deepEqual(source.lines.map((l) => l.text), ['Source', 'source · 1 instance', 'in 0/s · out 123,456/s', 'lag 0', 'errors 0 · dlq 0']);
  });
});
