import assert from 'node:assert/strict';
import { uniqueTopic } from '../support/catenae-process.js';
import { assigned, auditAll, ClusterTopology, type Mode } from './cluster-topology.js';
import type { FaultProcesses } from './fault-processes.js';
import { progress } from './figures.js';
import { offsetsPartitionOf, type LocalCluster } from './local-cluster.js';

const ELECTRONS = 100_000;
/** Per mode while instances join and leave; it slows to a trickle near the end so the stream outlasts them. */
const PER_SECOND = 1500;
const PARTITIONS = 6;

/** `count` relay group names, each with a mode's tag, all coordinated through one `__consumer_offsets` partition. */
function groupsOnOnePartition(count: number): string[] {
  const groups = [uniqueTopic('cluster_relay')];
  const partition = offsetsPartitionOf(groups[0]!);
  while (groups.length < count) {
    const group = uniqueTopic('cluster_relay');
    if (offsetsPartitionOf(group) === partition) groups.push(group);
  }
  return groups;
}

/**
 * One topology per mode in `modes` at once, the relay groups all coordinated by one node. Once a sixth of
 * every stream went through, two more relays join each group and the coordinator's node is
 * killed (SIGKILL) under the join; it comes back, the stream goes on with three instances each,
 * then the two leave (SIGTERM, drain) while the group's new coordinator is killed too. Records
 * the figures; fails naming every broken promise.
 */
export async function coordinatorKill(cluster: LocalCluster, processes: FaultProcesses, modes: readonly Mode[]): Promise<void> {
  const groups = groupsOnOnePartition(modes.length);
  const topologies = modes.map((mode, i) => new ClusterTopology(cluster, processes, mode, PARTITIONS, groups[i]));
  await Promise.all(topologies.map((t) => t.create()));
  await Promise.all(topologies.map((t) => t.start()));
  let scaling = true;
  const pace = (i: number): number | undefined => (!scaling ? undefined : i < ELECTRONS - 5000 ? PER_SECOND : 250);
  const producing = Promise.all(topologies.map((t) => t.produce(ELECTRONS, pace)));
  const killed: string[] = [];
  try {
    await Promise.all(topologies.map((t) => t.relayedAtLeast(ELECTRONS / 6, 'a sixth of the electrons through the relay')));
    // Join: two instances per group start, and the coordinator they must join through dies under them.
    const joiners = topologies.map((t) => [t.startRelay(), t.startRelay()] as const);
    const atJoin = await cluster.coordinatorOf(groups[0]!);
    progress(`coordinator kill: two relays join each group; killing node ${atJoin}, their coordinator`);
    await cluster.kill(atJoin);
    killed.push(`node ${atJoin} at the join`);
    await Promise.all(topologies.flatMap((t, i) => joiners[i]!.map((relay) => assigned(relay, t.input))));
    progress('coordinator kill: the joiners have partitions');
    await cluster.start(atJoin);
    progress(`coordinator kill: node ${atJoin} back in sync`);
    const atScaleUp = await Promise.all(topologies.map((t) => t.relayed()));
    // Within the stream's slow tail when the join took long: progress, not a sixth more.
    await Promise.all(topologies.map((t, i) => t.relayedAtLeast(Math.min(atScaleUp[i]! + ELECTRONS / 6, ELECTRONS - 2500), 'progress with three instances')));
    // Leave: the two instances drain and go while the groups' coordinator (moved since) dies too.
    const atLeave = await cluster.coordinatorOf(groups[0]!);
    progress(`coordinator kill: the joiners leave; killing node ${atLeave}, the groups' coordinator now`);
    const leaving = Promise.all(topologies.flatMap((t, i) => joiners[i]!.map((relay) => t.stopRelay(relay))));
    await cluster.kill(atLeave);
    killed.push(`node ${atLeave} at the leave`);
    const codes = await leaving;
    // A separate line from the producer's end: a slow exit (once ~10 min in CI) shows which it was.
    progress(`coordinator kill: the joiners exited (${codes.join(', ')})`);
    assert.deepEqual(codes, new Array(2 * modes.length).fill(0), 'the leaving instances drained and exited 0');
  } finally {
    scaling = false;
    await producing.catch(() => undefined);
  }
  await producing;
  progress('coordinator kill: every electron produced');
  await cluster.heal();
  const broken = await auditAll(
    topologies,
    ELECTRONS,
    'cluster: relay group coordinator killed while scaling 1 -> 3 -> 1',
    () => `${ELECTRONS} keyed electrons at ${PER_SECOND}/s (${modes.length === 1 ? 'this mode alone' : `${modes.length} modes at once`}), ${PARTITIONS} partitions, killed ${killed.join(' and ')}`,
  );
  assert.deepEqual(broken, {}, 'every mode kept its promises');
}
