import type { ClusterLayout, ClusterNode } from './cluster-layout.js';

/**
 * The `server.properties` of one node of a local KRaft cluster on loopback: broker and controller
 * in one process, every node a voter of the metadata quorum (static `controller.quorum.voters`).
 * Replicated as production runs: new topics get min(3, nodes) replicas, and `min.insync.replicas`
 * is 2 from three nodes up, so an `acks=all` write survives the loss of any one broker; the
 * offsets and transaction logs are replicated the same way.
 */
export function clusterServerProperties(layout: ClusterLayout, node: ClusterNode): string {
  const size = layout.nodes.length;
  const replication = Math.min(3, size);
  const minInSync = size >= 3 ? 2 : 1;
  const voters = layout.nodes.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',');
  const lines = [
    `# Written by catenae kafka up --brokers ${size}: node ${node.nodeId} of a local KRaft cluster.`,
    'process.roles=broker,controller',
    `node.id=${node.nodeId}`,
    `listeners=PLAINTEXT://127.0.0.1:${node.layout.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${node.layout.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `controller.quorum.voters=${voters}`,
    `log.dirs=${node.layout.kafkaDataDir}`,
    'num.partitions=4',
    `default.replication.factor=${replication}`,
    `min.insync.replicas=${minInSync}`,
    `offsets.topic.replication.factor=${replication}`,
    // 50 by default: fewer make the first group join on a fresh cluster quicker.
    'offsets.topic.num.partitions=10',
    `transaction.state.log.replication.factor=${replication}`,
    `transaction.state.log.min.isr=${minInSync}`,
    // Kafka's default, stated: a replica that missed writes never becomes leader (no silent loss).
    'unclean.leader.election.enable=false',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
  ];
  return `${lines.join('\n')}\n`;
}
