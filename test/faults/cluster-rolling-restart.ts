import assert from 'node:assert/strict';
import { auditAll, ClusterTopology, MODES } from './cluster-topology.js';
import type { FaultProcesses } from './fault-processes.js';
import { progress } from './figures.js';
import type { LocalCluster } from './local-cluster.js';

const ELECTRONS = 100_000;
/** Per mode while nodes restart; near the end of the stream it slows to a trickle so the stream outlasts the restart. */
const PER_SECOND = 1500;

/**
 * One topology per mode at once, topics placed by Kafka; once a tenth of every stream went
 * through, each node in turn is stopped (a controlled shutdown, SIGTERM) and started again,
 * the next one only once it is back in sync. Records the figures; fails naming every broken promise.
 */
export async function rollingRestart(cluster: LocalCluster, processes: FaultProcesses): Promise<void> {
  const topologies = MODES.map((mode) => new ClusterTopology(cluster, processes, mode));
  await Promise.all(topologies.map((t) => t.create()));
  await Promise.all(topologies.map((t) => t.start()));
  let restarting = true;
  // Electrons keep flowing through every restart: near the end of the stream the pace drops
  // until the last node is back, then the rest goes at full speed.
  const pace = (i: number): number | undefined => (!restarting ? undefined : i < ELECTRONS - 5000 ? PER_SECOND : 250);
  const producing = Promise.all(topologies.map((t) => t.produce(ELECTRONS, pace)));
  const steps: string[] = [];
  const startedAt = Date.now();
  try {
    await Promise.all(topologies.map((t) => t.relayedAtLeast(ELECTRONS / 10, 'a tenth of the electrons through the relay')));
    for (const node of [1, 2, 3]) {
      const stoppingAt = Date.now();
      progress(`rolling restart: stopping node ${node}`);
      await cluster.stop(node);
      const stoppedAt = Date.now();
      await cluster.start(node);
      steps.push(`node ${node} ${((stoppedAt - stoppingAt) / 1000).toFixed(1)} + ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s`);
    }
  } finally {
    restarting = false;
    await producing.catch(() => undefined);
  }
  await producing;
  progress('rolling restart: every electron produced');
  const seconds = (Date.now() - startedAt) / 1000;
  const broken = await auditAll(
    topologies,
    ELECTRONS,
    'cluster: rolling restart of the three nodes under load',
    () => `${ELECTRONS} keyed electrons at ${PER_SECOND}/s (four modes at once) through relay and counter, restart ${seconds.toFixed(0)} s (stopping + until back in sync: ${steps.join(', ')})`,
  );
  assert.deepEqual(broken, {}, 'every mode kept its promises');
}
