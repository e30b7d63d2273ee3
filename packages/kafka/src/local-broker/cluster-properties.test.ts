import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterLayout } from './cluster-layout.js';
import { clusterServerProperties } from './cluster-properties.js';

function parse(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('clusterServerProperties', () => {
  const layout = clusterLayout(39192, 3, '/c');
  const node2 = parse(clusterServerProperties(layout, layout.nodes[1]!));

  it('makes every node a broker and a voter of one static quorum, on its own ports and data dir', () => {
    assert.equal(node2.get('process.roles'), 'broker,controller');
    assert.equal(node2.get('node.id'), '2');
    assert.equal(node2.get('listeners'), 'PLAINTEXT://127.0.0.1:39194,CONTROLLER://127.0.0.1:39195');
    assert.equal(node2.get('advertised.listeners'), 'PLAINTEXT://127.0.0.1:39194');
    assert.equal(node2.get('controller.quorum.voters'), '1@127.0.0.1:39193,2@127.0.0.1:39195,3@127.0.0.1:39197');
    assert.equal(node2.get('log.dirs'), '/c/node-2/data');
  });

  it('replicates three ways with two in sync, internal topics too, and never elects an out-of-sync leader', () => {
    assert.equal(node2.get('default.replication.factor'), '3');
    assert.equal(node2.get('min.insync.replicas'), '2');
    assert.equal(node2.get('offsets.topic.replication.factor'), '3');
    assert.equal(node2.get('transaction.state.log.replication.factor'), '3');
    assert.equal(node2.get('transaction.state.log.min.isr'), '2');
    assert.equal(node2.get('unclean.leader.election.enable'), 'false');
  });

  it('fits smaller clusters: replication up to the node count, one in sync below three nodes', () => {
    const two = clusterLayout(39192, 2, '/c');
    const props = parse(clusterServerProperties(two, two.nodes[0]!));
    assert.equal(props.get('default.replication.factor'), '2');
    assert.equal(props.get('min.insync.replicas'), '1');
    assert.equal(props.get('transaction.state.log.min.isr'), '1');
  });
});
