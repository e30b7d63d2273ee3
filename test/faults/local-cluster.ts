import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { kafkaClusterDown, kafkaClusterUp, startClusterNode, stopClusterNode, type KafkaClusterUpResult } from '@catenae/kafka';
import { Kafka as KafkaJs, logLevel } from 'kafkajs';
import Kafka from 'node-rdkafka';
import { until } from './until.js';

/**
 * Node 1's broker port of the cluster the fault tests start (the nodes take it and the next five).
 * Below Linux's ephemeral range (32768-60999): a port there may be held by any outgoing
 * connection of the tests before it, and a node could not listen on it.
 */
export const CLUSTER_PORT = Number(process.env.CATENAE_CLUSTER_PORT ?? 29192);

/** Partition leaders per node id. */
export type LeaderCounts = Map<number, number>;

/** Partitions of `__consumer_offsets` on the local cluster (`offsets.topic.num.partitions`). */
const OFFSETS_PARTITIONS = 10;

/**
 * The three-node local cluster of one test file: started (on its own ports and a fresh data dir)
 * before the file's tests and stopped, data removed, after them. Replication 3 and
 * `min.insync.replicas=2` are the cluster's defaults. Leaders and replicas are read with
 * node-rdkafka's metadata; topics led by a chosen node are created with KafkaJS, whose admin can
 * place replicas (node-rdkafka's `createTopic` takes no replica assignment).
 */
export class LocalCluster {
  readonly port = CLUSTER_PORT;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'catenae-cluster-'));
  /** Every node's broker address (node n on `port + 2(n - 1)`), known before the cluster starts. */
  readonly bootstrap = [0, 2, 4].map((offset) => `127.0.0.1:${CLUSTER_PORT + offset}`).join(',');
  /** Seconds `kafkaClusterUp` took, for the figures. */
  startSeconds = 0;
  #metadataClient: Kafka.Producer | undefined;
  #replacing: Promise<void> | undefined;

  constructor() {
    before(async () => {
      const startedAt = Date.now();
      const up = await this.#start();
      this.startSeconds = (Date.now() - startedAt) / 1000;
      if (up.bootstrap !== this.bootstrap) throw new Error(`the cluster answers at ${up.bootstrap}, not ${this.bootstrap}`);
      this.#metadataClient = await this.#connectClient();
    });
    after(async () => {
      const client = this.#metadataClient;
      this.#metadataClient = undefined;
      if (client !== undefined) await new Promise<void>((resolve) => client.disconnect(5000, () => resolve()));
      await kafkaClusterDown({ port: this.port, brokers: 3, dataDir: this.dataDir });
      // With FAULT_LOGS=<dir>, the nodes' logs are kept there, as the links' are.
      if (process.env.FAULT_LOGS !== undefined) {
        for (const node of [1, 2, 3]) {
          const from = join(this.dataDir, `node-${node}`, 'logs');
          if (existsSync(from)) cpSync(from, join(process.env.FAULT_LOGS, `cluster-${Date.now()}`, `node-${node}`), { recursive: true });
        }
      }
      rmSync(this.dataDir, { recursive: true, force: true });
    });
  }

  /** SIGKILL of node `node`: a crash, no controlled shutdown. */
  async kill(node: number): Promise<void> {
    await stopClusterNode({ port: this.port, brokers: 3, dataDir: this.dataDir, node, kill: true });
  }

  /** A controlled shutdown of node `node` (SIGTERM), as an upgrade does. */
  async stop(node: number): Promise<void> {
    await stopClusterNode({ port: this.port, brokers: 3, dataDir: this.dataDir, node });
  }

  /** Starts node `node` again; resolves once it is back in sync on every partition it holds. */
  async start(node: number): Promise<void> {
    await startClusterNode({ port: this.port, brokers: 3, dataDir: this.dataDir, node, timeoutMs: 180_000 });
  }

  /** Starts every node that is down; resolves once all three are in sync (after a fault, for the next test). */
  async heal(): Promise<void> {
    for (const node of [1, 2, 3]) await this.start(node);
  }

  /**
   * Creates topics of `partitions` partitions each (a number, or one per topic), three replicas
   * each, every partition led by `leader` (the first replica is the preferred leader), so that one
   * kill hits them all.
   */
  async createLedBy(leader: number, topics: Readonly<Record<string, number>>): Promise<void> {
    const others = [1, 2, 3].filter((n) => n !== leader);
    const admin = new KafkaJs({ clientId: 'catenae-fault-admin', brokers: this.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: false,
        topics: Object.entries(topics).map(([topic, partitions]) => ({
          topic,
          replicaAssignment: Array.from({ length: partitions }, (_, partition) => ({
            partition,
            replicas: partition % 2 === 0 ? [leader, ...others] : [leader, ...[...others].reverse()],
          })),
        })),
      });
    } finally {
      await admin.disconnect();
    }
    const total = Object.values(topics).reduce((sum, n) => sum + n, 0);
    await until(async () => (await this.leaders(...Object.keys(topics))).get(leader) === total, `node ${leader} to lead ${Object.keys(topics).join(', ')}`, 60_000);
  }

  /** How many partitions of `topics` each node leads now (-1: partitions without a leader). */
  async leaders(...topics: string[]): Promise<LeaderCounts> {
    const counts: LeaderCounts = new Map();
    for (const topic of topics) {
      for (const p of await this.#partitionsOf(topic)) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
    }
    return counts;
  }

  /**
   * Records written to `topic` so far (the sum of its partitions' high watermarks; transaction
   * markers count too), read with the file's one long-lived client: the tests poll it often, and
   * a client per poll costs connections, threads and, under load, native crashes.
   */
  async written(topic: string, partitions: number): Promise<number> {
    const client = this.#client();
    let total = 0;
    try {
      for (let p = 0; p < partitions; p++) {
        total += await new Promise<number>((resolve, reject) =>
          client.queryWatermarkOffsets(topic, p, 5000, (err, offsets) => (err ? reject(err) : resolve(offsets.highOffset - offsets.lowOffset))),
        );
      }
    } catch (err) {
      // A client that only queries keeps asking the leader it last knew: after a broker loss it
      // failed for minutes ("Broker handle destroyed without termination"). A new one asks afresh.
      await this.#replaceClient(client);
      throw err;
    }
    return total;
  }

  /** The replication factor of `topic` (its first partition's replicas). */
  async replicasOf(topic: string): Promise<number> {
    return (await this.#partitionsOf(topic))[0]!.replicas.length;
  }

  /**
   * The node coordinating consumer group `group`: the leader of its `__consumer_offsets` partition
   * (see {@link offsetsPartitionOf}).
   */
  async coordinatorOf(group: string): Promise<number> {
    const partition = offsetsPartitionOf(group);
    return (await this.#partitionsOf('__consumer_offsets')).find((p) => p.id === partition)!.leader;
  }

  /**
   * The node coordinating the transactions of `transactionalId`: the leader of its partition of
   * `__transaction_state` (which the first transactional producer of the cluster creates).
   */
  async transactionCoordinatorOf(transactionalId: string): Promise<number> {
    const partitions = await this.#partitionsOf('__transaction_state');
    const partition = partitionOfKey(transactionalId, partitions.length);
    return partitions.find((p) => p.id === partition)!.leader;
  }

  /** The node ids the cluster's metadata lists now. */
  async listedNodes(): Promise<number[]> {
    const client = this.#client();
    const metadata = await new Promise<Kafka.Metadata>((resolve, reject) =>
      client.getMetadata({ allTopics: false, timeout: 10_000 }, (err, data) => (err ? reject(err) : resolve(data))),
    );
    return metadata.brokers.map((b) => b.id).sort((a, b) => a - b);
  }

  async #partitionsOf(topic: string): Promise<Kafka.PartitionMetadata[]> {
    const client = this.#client();
    const metadata = await new Promise<Kafka.Metadata>((resolve, reject) =>
      client.getMetadata({ topic, timeout: 10_000 }, (err, data) => (err ? reject(err) : resolve(data))),
    );
    const found = metadata.topics.find((t) => t.name === topic);
    if (found === undefined || found.partitions.length === 0) throw new Error(`no metadata for topic ${topic}`);
    return found.partitions;
  }

  #client(): Kafka.Producer {
    if (this.#metadataClient === undefined) throw new Error('the cluster is not running');
    return this.#metadataClient;
  }

  // A cluster that does not come up says why (the error, each node's last log lines) and is
  // started once more from scratch, so one bad start on a loaded machine does not cost the file.
  async #start(): Promise<KafkaClusterUpResult> {
    const options = { port: this.port, brokers: 3, dataDir: this.dataDir, timeoutMs: 180_000 };
    try {
      return await kafkaClusterUp(options);
    } catch (err) {
      process.stderr.write(`# the local cluster did not start: ${(err as Error).message}\n${this.#logTails()}`);
      await kafkaClusterDown(options);
      rmSync(this.dataDir, { recursive: true, force: true });
      return await kafkaClusterUp(options);
    }
  }

  #logTails(): string {
    let text = '';
    for (const node of [1, 2, 3]) {
      for (const log of ['stdout.log', 'server.log']) {
        const file = join(this.dataDir, `node-${node}`, 'logs', log);
        const lines = existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-10) : ['(none)'];
        text += lines.map((line) => `# node ${node} ${log}: ${line}\n`).join('');
      }
    }
    return text;
  }

  async #connectClient(): Promise<Kafka.Producer> {
    // Asking for a topic's metadata must never create it.
    const client = new Kafka.Producer({ 'metadata.broker.list': this.bootstrap, 'client.id': 'catenae-fault-metadata', 'allow.auto.create.topics': false });
    await new Promise<void>((resolve, reject) => client.connect({ timeout: 30_000 }, (err) => (err ? reject(err) : resolve())));
    return client;
  }

  // Once per failing client: the polls of four topologies may all fail at once.
  async #replaceClient(failed: Kafka.Producer): Promise<void> {
    if (this.#metadataClient !== failed) return;
    this.#replacing ??= this.#connectClient()
      .then((client) => {
        this.#metadataClient = client;
        failed.disconnect(5000, () => undefined);
      })
      .catch(() => undefined)
      .finally(() => (this.#replacing = undefined));
    await this.#replacing;
  }
}

/**
 * The `__consumer_offsets` partition of consumer group `group`, as Kafka places groups:
 * `Utils.abs(group.hashCode()) % partitions`, Java's String.hashCode over UTF-16 code units.
 */
export function offsetsPartitionOf(group: string): number {
  return partitionOfKey(group, OFFSETS_PARTITIONS);
}

// How Kafka places a group or a transactional id on its internal topic: Java's String.hashCode,
// made positive by Kafka's Utils.abs (Integer.MIN_VALUE maps to 0), modulo the partitions.
function partitionOfKey(key: string, partitions: number): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (Math.imul(31, hash) + key.charCodeAt(i)) | 0;
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % partitions;
}

/** The node leading the most partitions in `counts` (the lowest id on a tie). */
export function busiestLeader(counts: LeaderCounts): number {
  return [...counts.entries()].filter(([node]) => node > 0).sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
}
