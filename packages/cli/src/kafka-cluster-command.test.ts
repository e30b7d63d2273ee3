import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { isClusterRequest, kafkaClusterCommand } from './kafka-cluster-command.js';

describe('catenae kafka on a local cluster', () => {
  it('is a cluster command with stop-node/start-node, --brokers or KAFKA_BROKERS above 1', async () => {
    assert.equal(await isClusterRequest(['up', '--brokers', '3'], {}), true);
    assert.equal(await isClusterRequest(['up', '--brokers=1'], {}), true, '--brokers 1 is parsed here too (a single broker)');
    assert.equal(await isClusterRequest(['up'], { KAFKA_BROKERS: '3' }), true);
    assert.equal(await isClusterRequest(['up'], { KAFKA_BROKERS: '1' }), false);
    assert.equal(await isClusterRequest(['stop-node', '2'], {}), true);
    assert.equal(await isClusterRequest(['start-node', '2'], {}), true);
    assert.equal(await isClusterRequest(['up'], {}), false);
    assert.equal(await isClusterRequest(['up', '--port', '19092'], {}), false);
    assert.equal(await isClusterRequest(['status'], {}), false, 'left to the single broker command and its message');
  });

  it('down without --brokers is a cluster command where a cluster was started on that port', async () => {
    const port = 39_990;
    // The default data dir is ~/.cache/catenae/kafka-cluster-<port>: a port no one uses.
    const dir = join(homedir(), '.cache', 'catenae', `kafka-cluster-${port}`);
    try {
      assert.equal(await isClusterRequest(['down', '--port', String(port)], {}), false);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cluster.id'), 'x\n');
      assert.equal(await isClusterRequest(['down', '--port', String(port)], {}), true);
      assert.equal(await isClusterRequest(['down'], { KAFKA_PORT: String(port) }), true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad arguments with one line naming them, before touching any broker', async () => {
    const cases: [string[], RegExp][] = [
      [['stop-node'], /needs a node number, e\.g\. catenae kafka stop-node 2/],
      [['start-node', '2', '--kill'], /unknown argument --kill for catenae kafka start-node: only a node number, --port, --brokers/],
      [['up', '--brokers', 'three'], /--brokers "three" is not a node count/],
      [['up', '--brokers', '3', '--port', '70000'], /--port "70000" is not a port number/],
      [['up', '--brokers'], /--brokers needs a value/],
      [['up', '--brokers', '3', '--verbose'], /unknown argument --verbose for catenae kafka up: only --port, --brokers/],
      [['up', '--brokers', '12'], /--brokers "12" is not a node count from 1 to 9/],
      [['stop-node', '4', '--brokers', '3', '--port', '39192'], /node "4" is not in the cluster at .*: nodes are 1 to 3/],
    ];
    for (const [argv, message] of cases) await assert.rejects(kafkaClusterCommand(argv, {}), { code: ErrorCode.BadFlag, message }, argv.join(' '));
  });
});
