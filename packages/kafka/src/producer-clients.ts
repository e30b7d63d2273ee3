import { CatenaeError, ErrorCode } from '@catenae/core';
import Kafka from 'node-rdkafka';
import { producerConfig, type ClientConfigInput } from './client-config.js';
import { connectClient } from './connect-client.js';
import type { FlushProducer } from './flush-producer.js';
import type { HandoverProducer } from './handover-producer.js';
import { reasonOf } from './kafka-errors.js';

/** A node-rdkafka producer with the transport's settings (see `producerConfig`); throws on settings librdkafka refuses. */
export function createProducer(input: ClientConfigInput): Kafka.Producer {
  const config = producerConfig(input);
  return new Kafka.Producer(config.global as Kafka.ProducerGlobalConfig, config.topic as Kafka.ProducerTopicConfig);
}

/**
 * A new producer with the transport's settings, `watch`ed and connected within `timeoutMs`: the
 * one that takes a transactional producer's place (see KafkaTransactions).
 * @throws CatenaeError `CATENAE_BAD_FLAG` for settings librdkafka refuses, `CATENAE_BROKER` when it cannot connect.
 */
export async function connectNewProducer(input: ClientConfigInput, timeoutMs: number, watch: (producer: Kafka.Producer) => void): Promise<Kafka.Producer> {
  let producer: Kafka.Producer;
  try {
    producer = createProducer(input);
  } catch (err) {
    throw new CatenaeError(ErrorCode.BadFlag, `Kafka client settings rejected: ${reasonOf(err)}`, { cause: err });
  }
  watch(producer);
  try {
    await connectClient(producer, timeoutMs);
  } catch (err) {
    throw new CatenaeError(ErrorCode.Broker, `cannot connect a new transactional producer to Kafka at ${input.brokers}: ${reasonOf(err)}`, { cause: err });
  }
  return producer;
}

/** Waits (bounded) for the producer's deliveries, fails what is left, then disconnects. */
export async function closeProducer(producer: Kafka.Producer, batches: HandoverProducer | FlushProducer, timeoutMs: number, leftover: Error): Promise<void> {
  await batches.whenIdle(Date.now() + timeoutMs);
  batches.failPending(leftover);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    try {
      producer.disconnect(0, () => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
