// Issue 18: Catenae on a local three-node KRaft cluster (replication 3, min.insync.replicas 2),
// started once for this file on ports CATENAE_CLUSTER_PORT (29192) to +5 and stopped after it.
// The rolling restart runs the four modes at once, each its own topology of a relay and a counting
// sink; the leader kill and the coordinator kill run one mode at a time (see below).
// UV_THREADPOOL_SIZE=64 (as scripts/test.mjs sets it): this process runs many node-rdkafka clients
// (producers, readers, an RPC caller) whose calls may each hold a thread of the pool for seconds
// while a leader is lost.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { uniqueTopic } from '../support/catenae-process.js';
import { commitAfterGroupCoordinatorLeft } from './cluster-coordinator-gone.js';
import { coordinatorKill } from './cluster-coordinator-kill.js';
import { leaderKill } from './cluster-leader-kill.js';
import { rollingRestart } from './cluster-rolling-restart.js';
import { ClusterTopology, MODES } from './cluster-topology.js';
import { FaultProcesses } from './fault-processes.js';
import { recordFigure } from './figures.js';
import { LocalCluster } from './local-cluster.js';

// The kills run one mode at a time. With all four modes at once (eight to sixteen links, their
// producers and callers, and three JVMs on two cores) the surviving nodes were flooded after a
// kill and writes stalled for two minutes or more; alone, a mode's stream stalls for ~16 s (see
// RELIABILITY.md).
const cluster = new LocalCluster();
const processes = new FaultProcesses(cluster.bootstrap);

describe('a three-node Kafka cluster with brokers that die', { timeout: 2_700_000 }, () => {
  // A failed test leaves no link running and no node down for the next one.
  afterEach(async () => {
    processes.killAll();
    await cluster.heal();
  });

  it('topics the links create get the cluster default replication factor, or --replication-factor', async () => {
    recordFigure('cluster start', '3 nodes', `kafkaClusterUp took ${cluster.startSeconds.toFixed(1)} s`);
    const topology = new ClusterTopology(cluster, processes, MODES[0]!);
    await topology.create();
    const [output, flaggedOutput, uid] = [uniqueTopic('cluster_rf_out'), uniqueTopic('cluster_rf2_out'), uniqueTopic('rf')];
    const counter = processes.run('counter', ['-i', topology.middle, '-o', output, '-g', topology.counterGroup, '--state-dir', 'memory', '--uid', uid]);
    const relay = processes.run('relay', ['-i', topology.input, '-o', flaggedOutput, '-g', topology.relayGroup, '--replication-factor', '2']);
    await Promise.all([counter, relay].map((p) => p.waitFor((line) => line.includes(') started on '), 90_000, 'the link to start')));
    const created = { output, 'dead letters': `${topology.middle}.dlq`, changelog: topology.changelog, 'RPC inbox': `catenae.rpc.instance.${uid}`, 'RPC calls': 'catenae.rpc.link.Counter.call' };
    const replicas = await Promise.all(Object.values(created).map((topic) => cluster.replicasOf(topic)));
    const flagged = await Promise.all([flaggedOutput, `${topology.input}.dlq`].map((topic) => cluster.replicasOf(topic)));
    assert.deepEqual(await Promise.all([counter.stop(), relay.stop()]), [0, 0]);
    recordFigure(
      'replicas of the topics a link creates on a 3-node cluster',
      'default, and --replication-factor 2',
      `${Object.keys(created).map((name, i) => `${name} ${replicas[i]}`).join(', ')}; with --replication-factor 2: output ${flagged[0]}, dead letters ${flagged[1]}`,
    );
    assert.deepEqual(replicas, [3, 3, 3, 3, 3], 'the cluster default');
    assert.deepEqual(flagged, [2, 2], '--replication-factor 2');
  });

  for (const mode of MODES) {
    it(`the leader of every partition killed mid-stream [${mode[0]}]: nothing lost, nothing duplicated and counts exact in exactly-once, keys in order but in async; RPC answered or CATENAE_RPC_TIMEOUT`, async () => {
      await leaderKill(cluster, processes, 1, [mode]);
    });
  }

  it('a rolling restart of the three nodes under load: the same promises kept', async () => {
    await rollingRestart(cluster, processes);
  });

  for (const mode of MODES) {
    it(`the relay group's coordinator killed while instances join and leave (1 -> 3 -> 1) [${mode[0]}]: the same promises kept`, async () => {
      await coordinatorKill(cluster, processes, [mode]);
    });
  }

  it("a transaction's offsets after the group coordinator's node left the cluster (librdkafka#5511): committed once, no call left waiting", async () => {
    await commitAfterGroupCoordinatorLeft(cluster);
  });
});
