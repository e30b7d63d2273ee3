import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CatenaeError, ErrorCode } from '@catenae/core';
import { KAFKA_VERSION } from './broker-layout.js';
import { runningBrokerPid, stopBrokerProcess } from './broker-process.js';
import { waitForCluster } from './cluster-health.js';
import type { ClusterLayout } from './cluster-layout.js';
import { launchNode, waitForNode } from './cluster-node.js';
import { layoutOf, type KafkaClusterOptions } from './cluster-options.js';
import { isPortOpen } from './probe-broker.js';
import { resolveBrokerJars } from './resolve-broker-jars.js';
import { withStartLock } from './start-lock.js';

/** A local cluster {@link kafkaClusterUp} started or found. */
export interface KafkaClusterUpResult {
  /** Every node's broker address, comma separated, for `-k`. */
  bootstrap: string;
  nodes: { nodeId: number; bootstrap: string; pid: number; logFile: string }[];
  /** The metadata quorum's leader (the active controller) once the cluster answered. */
  quorumLeader: number;
  dataDir: string;
  /** True when nothing was started: every node was already running. */
  alreadyRunning: boolean;
}

/**
 * Starts a local KRaft cluster of `brokers` nodes (default 3) on 127.0.0.1 from the same Apache
 * Kafka jars as `kafkaUp`, each node broker and controller in one JVM with its own ports and data
 * dir, and resolves once every node answers a metadata request listing all of them and the
 * metadata quorum has a leader. Replicated as production runs (see `clusterServerProperties`).
 * Idempotent: nodes already running are kept, stopped ones started again with their data.
 * @throws CatenaeError `CATENAE_BROKER` when Maven or Java fail, a port is taken by another
 * process, or the cluster does not answer in time (nodes it started are stopped again);
 * `CATENAE_BAD_FLAG` for a bad port or node count.
 * @publicApi
 */
export async function kafkaClusterUp(options: KafkaClusterOptions = {}): Promise<KafkaClusterUpResult> {
  const layout = layoutOf(options);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  return withStartLock(layout.dataDir, deadline, () => bringUp(layout, deadline, options));
}

async function bringUp(layout: ClusterLayout, deadline: number, options: KafkaClusterOptions): Promise<KafkaClusterUpResult> {
  const pids = new Map<number, number>();
  const toStart = [];
  for (const node of layout.nodes) {
    const pid = await runningBrokerPid(node.layout);
    if (pid !== undefined) pids.set(node.nodeId, pid);
    else if (await isPortOpen(node.layout.port)) throw new CatenaeError(ErrorCode.Broker, `port ${node.layout.port} (node ${node.nodeId}) is taken by a process not started from ${layout.dataDir}`);
    else if (await isPortOpen(node.controllerPort)) throw new CatenaeError(ErrorCode.Broker, `port ${node.controllerPort} (node ${node.nodeId}'s controller) is taken by a process not started from ${layout.dataDir}`);
    else toStart.push(node);
  }
  const started: number[] = [];
  if (toStart.length > 0) {
    await resolveBrokerJars(layout.nodes[0]!.layout, options.logger);
    const clusterId = await clusterIdOf(layout);
    options.logger?.info(`starting ${toStart.length === layout.nodes.length ? '' : `${toStart.length} of `}${layout.nodes.length} Kafka ${KAFKA_VERSION} nodes at ${layout.bootstrap} (data: ${layout.dataDir})`);
    try {
      // Formats run one after another (a JVM each, on few cores); the nodes start together,
      // as none answers before a majority of controllers is up.
      for (const node of toStart) {
        const pid = await launchNode(layout, node, options, clusterId);
        pids.set(node.nodeId, pid);
        started.push(node.nodeId);
      }
      for (const node of toStart) pids.set(node.nodeId, await waitForNode(layout, node, pids.get(node.nodeId)!, options, deadline));
    } catch (err) {
      await stopStarted(layout, started);
      throw err;
    }
  }
  let health;
  try {
    health = await waitForCluster(layout, deadline, false);
  } catch (err) {
    await stopStarted(layout, started);
    throw err;
  }
  if (started.length > 0) options.logger?.info(`Kafka cluster is up at ${layout.bootstrap}: ${layout.nodes.length} nodes, quorum leader node ${health.quorumLeader}`);
  return {
    bootstrap: layout.bootstrap,
    nodes: layout.nodes.map((node) => ({ nodeId: node.nodeId, bootstrap: node.layout.bootstrap, pid: pids.get(node.nodeId)!, logFile: node.layout.logFile })),
    quorumLeader: health.quorumLeader!,
    dataDir: layout.dataDir,
    alreadyRunning: started.length === 0,
  };
}

async function stopStarted(layout: ClusterLayout, nodeIds: readonly number[]): Promise<void> {
  for (const node of layout.nodes) {
    if (!nodeIds.includes(node.nodeId)) continue;
    const pid = await runningBrokerPid(node.layout);
    if (pid !== undefined) await stopBrokerProcess(node.layout, pid, 10_000);
  }
}

// Every node is formatted with one cluster id, kept beside them (or read back from a node
// formatted before the file existed).
async function clusterIdOf(layout: ClusterLayout): Promise<string> {
  try {
    return (await readFile(layout.clusterIdFile, 'utf8')).trim();
  } catch {
    // First start.
  }
  let id: string | undefined;
  for (const node of layout.nodes) id ??= formattedClusterId(join(node.layout.kafkaDataDir, 'meta.properties'));
  // Kafka's Uuid: 16 random bytes in URL-safe base64 without padding; never starting with '-'.
  while (id === undefined || id.startsWith('-')) id = randomBytes(16).toString('base64url');
  await mkdir(layout.dataDir, { recursive: true });
  await writeFile(layout.clusterIdFile, `${id}\n`);
  return id;
}

function formattedClusterId(metaProperties: string): string | undefined {
  try {
    return /^cluster\.id=(.+)$/m.exec(readFileSync(metaProperties, 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}
