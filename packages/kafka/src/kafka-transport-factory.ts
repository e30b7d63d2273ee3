import type { TransportFactory, TransportOptions } from '@catenae/core';
import { validateBrokers } from './kafka-config.js';
import { KafkaTransport, type KafkaTimeouts } from './kafka-transport.js';

/** What {@link createKafkaTransport} takes. */
export interface KafkaTransportFactoryOptions extends Partial<KafkaTimeouts> {
  /** Bootstrap servers, `host:port[,host:port]`. */
  brokers: string;
  /**
   * librdkafka settings for every client, passed through unchanged (`--kafka-config key=value`,
   * `CATENAE_KAFKA_*`): SASL, TLS and tuning need no code. A link's own `TransportOptions.config`
   * overrides them.
   */
  config?: Record<string, string>;
}

/**
 * The Kafka {@link TransportFactory} (`kind: 'kafka'`): each link instance gets a
 * {@link KafkaTransport} on node-rdkafka.
 *
 * node-rdkafka runs its blocking calls (a consumer waiting for records, connects, admin requests)
 * on libuv's thread pool, 4 threads unless `UV_THREADPOOL_SIZE` says otherwise: a process running
 * more than a couple of links on Kafka should raise it before its first asynchronous I/O.
 * @throws CatenaeError `CATENAE_BAD_FLAG` when `brokers` is not `host:port[,host:port]`.
 * @publicApi
 */
export function createKafkaTransport(options: KafkaTransportFactoryOptions): TransportFactory {
  const brokers = validateBrokers(options.brokers);
  const config = { ...options.config };
  const timeouts: KafkaTimeouts = {
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    revokeTimeoutMs: options.revokeTimeoutMs ?? 10_000,
    commitTimeoutMs: options.commitTimeoutMs ?? 30_000,
    topicTimeoutMs: options.topicTimeoutMs ?? 30_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
  };
  return {
    kind: 'kafka',
    address: brokers,
    create: (transportOptions: TransportOptions) => new KafkaTransport(brokers, config, transportOptions, timeouts),
  };
}
