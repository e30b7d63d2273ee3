import { existsSync, readdirSync } from 'node:fs';
import { brokerPort } from './broker-layout.js';
import { clusterLayout, clusterSize, type ClusterLayout } from './cluster-layout.js';
import type { BrokerLogger } from './resolve-broker-jars.js';

/** Which local cluster a call means, and how to run it. */
export interface KafkaClusterOptions {
  /** Nodes (default `KAFKA_BROKERS`, else 3); `down` and the node calls find them on disk when not given. */
  brokers?: number;
  /** Node 1's broker port (default `KAFKA_PORT`, else 9092); node n takes `port + 2(n - 1)`, its controller the next port. */
  port?: number;
  /** Data, logs and pid files of every node (default `<cacheDir>/kafka-cluster-<port>`). */
  dataDir?: string;
  /** Where the broker's jars are cached (default `~/.cache/catenae`). */
  cacheDir?: string;
  logger?: BrokerLogger;
  /** How long starting may take until the cluster answers, or stopping until SIGKILL (default 120000 ms up, 30000 ms down). */
  timeoutMs?: number;
  /** Each node's maximum JVM heap (default 512 MiB; it starts at a quarter of that). */
  maxHeapMb?: number;
}

/** The layout the options name: the node count from the option, else `KAFKA_BROKERS`, else 3. */
export function layoutOf(options: KafkaClusterOptions): ClusterLayout {
  return clusterLayout(brokerPort(options.port), clusterSize(options.brokers), options.dataDir, options.cacheDir);
}

/**
 * The layout of a cluster already on disk: the node count from the option, else the `node-<n>`
 * folders found in its data dir (else as {@link layoutOf}), so `down` needs no `--brokers`.
 */
export function layoutOnDisk(options: KafkaClusterOptions): ClusterLayout {
  if (options.brokers !== undefined) return layoutOf(options);
  const dataDir = clusterLayout(brokerPort(options.port), 1, options.dataDir, options.cacheDir).dataDir;
  let found = 0;
  try {
    found = readdirSync(dataDir).filter((name) => /^node-\d+$/.test(name)).length;
  } catch {
    // No cluster there.
  }
  return found > 0 ? layoutOf({ ...options, brokers: found }) : layoutOf(options);
}

/** Whether a cluster was ever started from these options' data dir. */
export function hasClusterOnDisk(options: KafkaClusterOptions): boolean {
  return existsSync(clusterLayout(brokerPort(options.port), 1, options.dataDir, options.cacheDir).clusterIdFile);
}
