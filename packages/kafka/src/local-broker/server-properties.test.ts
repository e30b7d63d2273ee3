import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serverProperties } from './server-properties.js';

describe('serverProperties', () => {
  const text = serverProperties(19092, '/tmp/k/data');
  const props = new Map(
    text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

  it('runs broker and controller in one process, the controller on the next port', () => {
    assert.equal(props.get('process.roles'), 'broker,controller');
    assert.equal(props.get('listeners'), 'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    assert.equal(props.get('advertised.listeners'), 'PLAINTEXT://127.0.0.1:19092');
    assert.equal(props.get('controller.quorum.bootstrap.servers'), '127.0.0.1:19093');
    assert.equal(props.get('controller.listener.names'), 'CONTROLLER');
    assert.equal(props.get('log.dirs'), '/tmp/k/data');
  });

  it('fits one node: replication 1, 4 partitions, no initial rebalance delay, topics auto-created', () => {
    assert.equal(props.get('num.partitions'), '4');
    assert.equal(props.get('offsets.topic.replication.factor'), '1');
    assert.equal(props.get('transaction.state.log.replication.factor'), '1');
    assert.equal(props.get('transaction.state.log.min.isr'), '1');
    assert.equal(props.get('group.initial.rebalance.delay.ms'), '0');
    assert.equal(props.get('auto.create.topics.enable'), 'true');
  });
});
