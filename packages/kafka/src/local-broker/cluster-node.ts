import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CatenaeError, ErrorCode } from '@catenae/core';
import { runningBrokerPid, startBrokerProcess, stopBrokerProcess } from './broker-process.js';
import { clusterNode, type ClusterLayout, type ClusterNode } from './cluster-layout.js';
import { layoutOnDisk, type KafkaClusterOptions } from './cluster-options.js';
import { clusterServerProperties } from './cluster-properties.js';
import { javaCommand, waitForBroker } from './kafka-up.js';
import { fetchMetadata } from './probe-broker.js';
import { lastLine, runCommand } from './run-command.js';

/** One node of a local cluster, as {@link stopClusterNode} and {@link startClusterNode} report it. */
export interface ClusterNodeResult {
  nodeId: number;
  /** `127.0.0.1:<port>` of its broker. */
  bootstrap: string;
  /** Its process id after the call; undefined once stopped. */
  pid: number | undefined;
  /** False when nothing was done: it was already in the state asked for. */
  changed: boolean;
}

/**
 * Stops node `node` of a local cluster: a controlled shutdown (SIGTERM, SIGKILL after
 * `timeoutMs`, default 30000), or with `kill` a SIGKILL at once, as a crash. Resolves once its
 * process is gone. Idempotent.
 * @throws CatenaeError `CATENAE_BAD_FLAG` when the cluster has no such node.
 * @publicApi
 */
export async function stopClusterNode(options: KafkaClusterOptions & { node: number; kill?: boolean }): Promise<ClusterNodeResult> {
  const layout = layoutOnDisk(options);
  const node = clusterNode(layout, options.node);
  const pid = await runningBrokerPid(node.layout);
  if (pid === undefined) return { nodeId: node.nodeId, bootstrap: node.layout.bootstrap, pid: undefined, changed: false };
  options.logger?.info(`${options.kill === true ? 'killing' : 'stopping'} Kafka node ${node.nodeId} at ${node.layout.bootstrap} (pid ${pid})`);
  await stopBrokerProcess(node.layout, pid, options.timeoutMs ?? 30_000, options.kill === true ? 'SIGKILL' : 'SIGTERM');
  return { nodeId: node.nodeId, bootstrap: node.layout.bootstrap, pid: undefined, changed: true };
}

/**
 * Starts node `node` of a local cluster again (formatted, with its data) and resolves once it
 * answers, is registered with the controller, and every partition it holds a replica of has it
 * back in sync: the point at which the next node of a rolling restart may go. Idempotent.
 * @throws CatenaeError `CATENAE_BROKER` when the cluster was never formatted, java fails, or the
 * node is not caught up within `timeoutMs` (default 120000); `CATENAE_BAD_FLAG` for an unknown node.
 * @publicApi
 */
export async function startClusterNode(options: KafkaClusterOptions & { node: number }): Promise<ClusterNodeResult> {
  const layout = layoutOnDisk(options);
  const node = clusterNode(layout, options.node);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const running = await runningBrokerPid(node.layout);
  if (!existsSync(join(node.layout.kafkaDataDir, 'meta.properties'))) {
    throw new CatenaeError(ErrorCode.Broker, `node ${node.nodeId} of the cluster in ${layout.dataDir} was never formatted: start the cluster with catenae kafka up --brokers ${layout.nodes.length}`);
  }
  const pid = running ?? (await waitForNode(layout, node, await launchNode(layout, node, options), options, deadline));
  if (running !== undefined) await waitForBroker(node.layout, pid, deadline);
  await waitCaughtUp(node, deadline);
  if (running === undefined) options.logger?.info(`Kafka node ${node.nodeId} is back at ${node.layout.bootstrap} (pid ${pid}) and in sync`);
  return { nodeId: node.nodeId, bootstrap: node.layout.bootstrap, pid, changed: running === undefined };
}

/**
 * Writes the node's `server.properties`, formats its storage with the cluster id when it was
 * never formatted, and starts its JVM. Resolves with its pid (not yet answering).
 */
export async function launchNode(layout: ClusterLayout, node: ClusterNode, options: KafkaClusterOptions, clusterId?: string): Promise<number> {
  const java = javaCommand();
  await mkdir(node.layout.kafkaDataDir, { recursive: true });
  await writeFile(node.layout.propertiesFile, clusterServerProperties(layout, node));
  if (!existsSync(join(node.layout.kafkaDataDir, 'meta.properties'))) {
    if (clusterId === undefined) throw new CatenaeError(ErrorCode.Broker, `node ${node.nodeId} has no storage and no cluster id to format it with`);
    const classpath = ['-cp', join(node.layout.libsDir, '*'), 'kafka.tools.StorageTool'];
    // Static voters (controller.quorum.voters): no --standalone or --initial-controllers.
    const format = await runCommand(java, [...classpath, 'format', '-t', clusterId, '-c', node.layout.propertiesFile]);
    if (format.code !== 0) {
      throw new CatenaeError(ErrorCode.Broker, `cannot format the storage of Kafka node ${node.nodeId} in ${node.layout.kafkaDataDir}: ${lastLine(format.output)}`);
    }
  }
  try {
    return await startBrokerProcess(node.layout, java, options.maxHeapMb ?? 512);
  } catch (err) {
    throw new CatenaeError(ErrorCode.Broker, `cannot start java for Kafka node ${node.nodeId}: ${(err as Error).message}`);
  }
}

/** A node whose port was taken as it started is started again this many times at most. */
const START_ATTEMPTS = 4;

/**
 * Waits until node `node` (its JVM `pid`, just launched) answers; resolves with its pid. A node
 * that died because its port was taken is launched again: ports in the kernel's ephemeral range
 * (32768-60999 on Linux) can be handed to an outgoing connection, the nodes' own among them,
 * before the broker binds them, and such connections are short-lived.
 * @throws CatenaeError `CATENAE_BROKER` as `waitForBroker`.
 */
export async function waitForNode(layout: ClusterLayout, node: ClusterNode, pid: number, options: KafkaClusterOptions, deadline: number): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await waitForBroker(node.layout, pid, deadline);
      return pid;
    } catch (err) {
      if (attempt >= START_ATTEMPTS || Date.now() >= deadline || !lastStartLog(node.layout.logFile).includes('Address already in use')) throw err;
      options.logger?.info(`Kafka node ${node.nodeId}: its port was taken as it started (attempt ${attempt}); starting it again`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      pid = await launchNode(layout, node, options);
    }
  }
}

// The node's log since its last start: a start logs its configuration before it binds its ports.
function lastStartLog(file: string): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(Math.max(0, text.lastIndexOf('KafkaConfig values:')));
  } catch {
    return '';
  }
}

// Registered (in the metadata) and back in the in-sync replicas of every partition it holds.
async function waitCaughtUp(node: ClusterNode, deadline: number): Promise<void> {
  let reason = 'not registered yet';
  for (;;) {
    try {
      const metadata = await fetchMetadata(node.layout.bootstrap, Math.max(500, Math.min(5000, deadline - Date.now())), true);
      let behind = 0;
      for (const topic of metadata.topics) {
        for (const p of topic.partitions) if (p.replicas.includes(node.nodeId) && !p.isrs.includes(node.nodeId)) behind++;
      }
      if (!metadata.brokers.some((b) => b.id === node.nodeId)) reason = 'not registered with the controller yet';
      else if (behind > 0) reason = `not yet in sync on ${behind} partitions`;
      else return;
    } catch (err) {
      reason = (err as Error).message;
    }
    if (Date.now() >= deadline) throw new CatenaeError(ErrorCode.Broker, `Kafka node ${node.nodeId} at ${node.layout.bootstrap} is not back in time: ${reason}; see ${node.layout.logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
