import { homedir } from 'node:os';
import { join } from 'node:path';
import { CatenaeError, ErrorCode } from '@catenae/core';
import { brokerLayout, type BrokerLayout } from './broker-layout.js';

/** The most nodes a local cluster may have: each takes two ports and a JVM. */
export const MAX_CLUSTER_NODES = 9;

/** One node of a local cluster: broker and controller in one process, as the single broker. */
export interface ClusterNode {
  /** Kafka's `node.id`, from 1. */
  nodeId: number;
  /** Its broker port is `layout.port`, its controller port the next one. */
  layout: BrokerLayout;
  controllerPort: number;
}

/** Where a local cluster keeps its files and which ports it takes. */
export interface ClusterLayout {
  /** The first node's broker port; node n takes `port + 2(n - 1)` and the one after for its controller. */
  port: number;
  /** Every node's broker address, comma separated, for `-k`. */
  bootstrap: string;
  /** Holds `node-<n>/` per node and the cluster id. */
  dataDir: string;
  /** The cluster id every node is formatted with. */
  clusterIdFile: string;
  nodes: ClusterNode[];
}

/**
 * The layout of a local cluster of `brokers` nodes from `port`: data in
 * `~/.cache/catenae/kafka-cluster-<port>` unless told.
 * @throws CatenaeError `CATENAE_BAD_FLAG` for a node count outside 1..9 or ports past 65535.
 */
export function clusterLayout(port: number, brokers: number, dataDir?: string, cacheDir?: string): ClusterLayout {
  if (!Number.isInteger(brokers) || brokers < 1 || brokers > MAX_CLUSTER_NODES) {
    throw new CatenaeError(ErrorCode.BadFlag, `--brokers "${brokers}" is not a node count from 1 to ${MAX_CLUSTER_NODES}`);
  }
  if (!Number.isInteger(port) || port < 1 || port + 2 * brokers - 1 > 65535) {
    throw new CatenaeError(ErrorCode.BadFlag, `Kafka port "${port}" leaves no room for ${brokers} nodes (each takes two ports, up to 65535)`);
  }
  const cache = cacheDir ?? join(homedir(), '.cache', 'catenae');
  const data = dataDir ?? join(cache, `kafka-cluster-${port}`);
  const nodes: ClusterNode[] = [];
  for (let nodeId = 1; nodeId <= brokers; nodeId++) {
    const nodePort = port + 2 * (nodeId - 1);
    nodes.push({ nodeId, layout: brokerLayout(nodePort, join(data, `node-${nodeId}`), cache), controllerPort: nodePort + 1 });
  }
  return {
    port,
    bootstrap: nodes.map((node) => node.layout.bootstrap).join(','),
    dataDir: data,
    clusterIdFile: join(data, 'cluster.id'),
    nodes,
  };
}

/**
 * The node count from an option or `KAFKA_BROKERS` (default 3).
 * @throws CatenaeError `CATENAE_BAD_FLAG` when it is not an integer from 1 to 9.
 */
export function clusterSize(brokers: number | undefined, env: Readonly<Record<string, string | undefined>> = process.env): number {
  const value = brokers ?? Number(env['KAFKA_BROKERS'] ?? 3);
  if (!Number.isInteger(value) || value < 1 || value > MAX_CLUSTER_NODES) {
    throw new CatenaeError(ErrorCode.BadFlag, `--brokers "${brokers ?? env['KAFKA_BROKERS']}" is not a node count from 1 to ${MAX_CLUSTER_NODES}`);
  }
  return value;
}

/**
 * The node of `layout` numbered `nodeId`.
 * @throws CatenaeError `CATENAE_BAD_FLAG` when the cluster has no such node.
 */
export function clusterNode(layout: ClusterLayout, nodeId: number): ClusterNode {
  const node = layout.nodes.find((n) => n.nodeId === nodeId);
  if (node === undefined) {
    throw new CatenaeError(ErrorCode.BadFlag, `node "${nodeId}" is not in the cluster at ${layout.bootstrap}: nodes are 1 to ${layout.nodes.length}`);
  }
  return node;
}
