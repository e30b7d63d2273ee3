// The transport contract every Catenae transport passes, run against a real Kafka broker
// (KAFKA_BOOTSTRAP, default 127.0.0.1:9092; start one with `pnpm kafka:up`): once with the
// default eager rebalancing, once with the cooperative protocol a user may configure instead.
import { describeTransportContract } from '@catenae/core/testing';
import { createKafkaTransport } from '@catenae/kafka';
import { KAFKA_BOOTSTRAP } from '../helpers/kafka.js';

describeTransportContract('kafka', async () => ({ factory: createKafkaTransport({ brokers: KAFKA_BOOTSTRAP }) }));

describeTransportContract('kafka, cooperative rebalancing', async () => ({
  factory: createKafkaTransport({
    brokers: KAFKA_BOOTSTRAP,
    config: { 'partition.assignment.strategy': 'cooperative-sticky' },
  }),
}));
