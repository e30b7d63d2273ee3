import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CatenaeError, ErrorCode } from '@catenae/core';
import { runningBrokerPid } from './broker-process.js';
import type { ClusterLayout, ClusterNode } from './cluster-layout.js';
import { fetchMetadata, isPortOpen } from './probe-broker.js';

/** What a cluster looks like from one broker's metadata and the nodes' quorum state. */
export interface ClusterHealth {
  /** Broker ids in the metadata: registered with the active controller and not fenced. */
  brokers: number[];
  /** The metadata quorum's leader (the active controller), when the running nodes know one. */
  quorumLeader: number | undefined;
  /** Partitions (internal topics included) whose in-sync replicas are fewer than their replicas. */
  underReplicated: number;
  /** Partitions without a leader. */
  offline: number;
}

/** Health as seen by the broker at `bootstrap` (partitions of every topic) and the nodes' quorum files. */
export async function clusterHealth(layout: ClusterLayout, bootstrap: string, timeoutMs: number): Promise<ClusterHealth> {
  const metadata = await fetchMetadata(bootstrap, timeoutMs, true);
  let underReplicated = 0;
  let offline = 0;
  for (const topic of metadata.topics) {
    for (const partition of topic.partitions) {
      if (partition.leader < 0) offline++;
      if (partition.isrs.length < partition.replicas.length) underReplicated++;
    }
  }
  return {
    brokers: metadata.brokers.map((b) => b.id).sort((a, b) => a - b),
    quorumLeader: quorumLeaderOf(layout.nodes),
    underReplicated,
    offline,
  };
}

/**
 * The metadata quorum's leader as the nodes last wrote it in their `quorum-state` files: the
 * leader of the newest epoch any node knows. A stopped node's file may name an old leader; the
 * newest epoch wins.
 */
export function quorumLeaderOf(nodes: readonly ClusterNode[]): number | undefined {
  let best: { leaderId: number; leaderEpoch: number } | undefined;
  for (const node of nodes) {
    const state = readQuorumState(node);
    if (state === undefined || state.leaderId < 0) continue;
    if (best === undefined || state.leaderEpoch > best.leaderEpoch) best = state;
  }
  return best?.leaderId;
}

function readQuorumState(node: ClusterNode): { leaderId: number; leaderEpoch: number } | undefined {
  try {
    const file = join(node.layout.kafkaDataDir, '__cluster_metadata-0', 'quorum-state');
    const state = JSON.parse(readFileSync(file, 'utf8')) as { leaderId?: unknown; leaderEpoch?: unknown };
    if (typeof state.leaderId !== 'number' || typeof state.leaderEpoch !== 'number') return undefined;
    return { leaderId: state.leaderId, leaderEpoch: state.leaderEpoch };
  } catch {
    // Not written yet, or being rewritten.
    return undefined;
  }
}

/**
 * Waits until every node of `layout` answers a metadata request listing all of them, the running
 * nodes agree on a quorum leader, and, with `inSync`, no partition lacks a leader or an in-sync
 * replica (a restarted broker has caught up). Fails early when a node's process is gone.
 * @throws CatenaeError `CATENAE_BROKER` naming what was still missing at `deadline`.
 */
export async function waitForCluster(layout: ClusterLayout, deadline: number, inSync: boolean): Promise<ClusterHealth> {
  const expected = layout.nodes.map((n) => n.nodeId).join(',');
  let reason = 'no node answered yet';
  for (;;) {
    const remaining = Math.max(500, Math.min(5000, deadline - Date.now()));
    try {
      reason = await missingFromCluster(layout, expected, remaining);
      if (reason === '') {
        const health = await clusterHealth(layout, layout.bootstrap, remaining);
        if (health.quorumLeader === undefined) reason = 'the metadata quorum has no leader yet';
        else if (inSync && health.offline > 0) reason = `${health.offline} partitions have no leader`;
        else if (inSync && health.underReplicated > 0) reason = `${health.underReplicated} partitions are under-replicated`;
        else return health;
      }
    } catch (err) {
      if (err instanceof CatenaeError) throw err;
      reason = (err as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new CatenaeError(ErrorCode.Broker, `the Kafka cluster at ${layout.bootstrap} is not ready in time: ${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// '' when every node is alive and its own metadata lists every node; else what is missing.
async function missingFromCluster(layout: ClusterLayout, expected: string, timeoutMs: number): Promise<string> {
  for (const node of layout.nodes) {
    const pid = await runningBrokerPid(node.layout);
    if (pid === undefined) throw new CatenaeError(ErrorCode.Broker, `node ${node.nodeId} of the Kafka cluster is not running (see ${node.layout.logFile})`);
    if (!(await isPortOpen(node.layout.port, 500))) return `node ${node.nodeId} does not accept connections yet`;
    const metadata = await fetchMetadata(node.layout.bootstrap, timeoutMs, false);
    const listed = metadata.brokers.map((b) => b.id).sort((a, b) => a - b).join(',');
    if (listed !== expected) return `node ${node.nodeId} lists brokers [${listed}], not [${expected}]`;
  }
  return '';
}
