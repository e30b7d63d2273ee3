import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { KAFKA_VERSION } from './broker-layout.js';
import { clusterLayout, clusterNode, clusterSize } from './cluster-layout.js';
import { hasClusterOnDisk, layoutOnDisk } from './cluster-options.js';

describe('clusterLayout', () => {
  it('gives node n the broker port base + 2(n - 1), its controller the next, and a folder of its own', () => {
    const layout = clusterLayout(39192, 3, '/data/c', '/cache');
    assert.equal(layout.bootstrap, '127.0.0.1:39192,127.0.0.1:39194,127.0.0.1:39196');
    assert.deepEqual(
      layout.nodes.map((n) => [n.nodeId, n.layout.port, n.controllerPort, n.layout.dataDir]),
      [
        [1, 39192, 39193, '/data/c/node-1'],
        [2, 39194, 39195, '/data/c/node-2'],
        [3, 39196, 39197, '/data/c/node-3'],
      ],
    );
    assert.equal(layout.nodes[2]!.layout.libsDir, join('/cache', `kafka-${KAFKA_VERSION}`, 'libs'), 'the jars of the single broker');
    assert.equal(clusterLayout(9092, 3, undefined, '/cache').dataDir, '/cache/kafka-cluster-9092');
  });

  it('refuses node counts outside 1..9 and ports past 65535, by code', () => {
    for (const bad of [0, 10, 2.5]) assert.throws(() => clusterLayout(39192, bad), { code: ErrorCode.BadFlag });
    assert.throws(() => clusterLayout(65531, 3), { code: ErrorCode.BadFlag, message: /no room for 3 nodes/ });
    assert.throws(() => clusterNode(clusterLayout(39192, 3, '/d'), 4), { code: ErrorCode.BadFlag, message: /nodes are 1 to 3/ });
  });

  it('takes the node count from the option, else KAFKA_BROKERS, else 3', () => {
    assert.equal(clusterSize(5, { KAFKA_BROKERS: '3' }), 5);
    assert.equal(clusterSize(undefined, { KAFKA_BROKERS: '1' }), 1);
    assert.equal(clusterSize(undefined, {}), 3);
    assert.throws(() => clusterSize(undefined, { KAFKA_BROKERS: 'three' }), { code: ErrorCode.BadFlag });
  });

  it('finds the node count of a cluster on disk, so down needs no --brokers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catenae-cluster-layout-'));
    try {
      assert.equal(hasClusterOnDisk({ port: 39192, dataDir: dir }), false);
      for (const n of [1, 2, 3, 4, 5]) mkdirSync(join(dir, `node-${n}`));
      writeFileSync(join(dir, 'cluster.id'), 'x\n');
      assert.equal(hasClusterOnDisk({ port: 39192, dataDir: dir }), true);
      assert.equal(layoutOnDisk({ port: 39192, dataDir: dir }).nodes.length, 5);
      assert.equal(layoutOnDisk({ port: 39192, dataDir: dir, brokers: 3 }).nodes.length, 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
