// Public exports of @catenae/kafka: the Kafka transport on node-rdkafka, its configuration
// helpers, and the local broker (one node or a cluster) behind `catenae kafka up|down`.

import { registerKafkaTransport } from '@catenae/core';
import { createKafkaTransport } from './kafka-transport-factory.js';

// Importing this package plugs the Kafka transport into the core runtime (`startLink({ kafka })`).
registerKafkaTransport(createKafkaTransport);

export { createKafkaTransport, type KafkaTransportFactoryOptions } from './kafka-transport-factory.js';
export { KafkaTransport, type KafkaTimeouts } from './kafka-transport.js';
export { kafkaConfigFromEnv, parseKafkaConfig, validateBrokers } from './kafka-config.js';
export {
  kafkaClientErrorChannel,
  kafkaConsumerLagChannel,
  kafkaLogChannel,
  type KafkaClientErrorMessage,
  type KafkaConsumerLagMessage,
  type KafkaLogMessage,
} from './diagnostics.js';
export { kafkaUp, type KafkaUpOptions, type KafkaUpResult } from './local-broker/kafka-up.js';
export type { BrokerListeners, BrokerUser } from './local-broker/broker-listeners.js';
export { kafkaDown, type KafkaDownOptions } from './local-broker/kafka-down.js';
export type { BrokerLogger } from './local-broker/resolve-broker-jars.js';
export { KAFKA_VERSION } from './local-broker/broker-layout.js';
export { kafkaClusterUp, type KafkaClusterUpResult } from './local-broker/kafka-cluster-up.js';
export { kafkaClusterDown } from './local-broker/kafka-cluster-down.js';
export { startClusterNode, stopClusterNode, type ClusterNodeResult } from './local-broker/cluster-node.js';
export { hasClusterOnDisk, type KafkaClusterOptions } from './local-broker/cluster-options.js';
export { KafkaTopicAdmin, type TopicAdminOptions, type TopicInfo } from './topic-admin.js';
