import type { TopicPartition } from '@catenae/core';
import Kafka from 'node-rdkafka';
import { disconnectQuietly } from './connect-client.js';
import { rdkafkaCode } from './kafka-errors.js';

// After the fatal error ends the waiting call, its thread returns a moment later: the client is
// destroyed only after this, never under the call.
const DISCONNECT_AFTER_FATAL_MS = 5000;

/**
 * Transactional producers a call of librdkafka's never returned from (sendOffsetsToTransaction
 * once the group coordinator's broker left the cluster, confluentinc/librdkafka#5511), left
 * behind by a transport that goes on with a new producer. Each holds a thread of libuv's pool, and
 * Node joins that pool when the process exits: a process holding one never exits.
 *
 * `release` frees them once the new producer with the same `transactional.id` is initialised,
 * which fenced them: a record produced through a fenced producer makes librdkafka register its
 * partition with the transaction coordinator, which refuses (PRODUCER_FENCED). librdkafka makes
 * that a fatal error, and a fatal error answers the transactional call still waiting. The record
 * is never written: the coordinator refuses its partition before any produce request goes out,
 * and a fenced producer can never commit. The producer is then disconnected.
 */
export class StuckProducers {
  readonly #left: Kafka.Producer[] = [];

  /** Leaves `producer` behind (never disconnected while its call waits). */
  add(producer: Kafka.Producer): void {
    // What it reports from now on (being fenced) is no news.
    producer.removeAllListeners('event.error');
    this.#left.push(producer);
  }

  /** Fences and releases every producer left behind, through a record for `partition` (an input of the link: never one it writes). */
  release(partition: TopicPartition): void {
    for (const producer of this.#left.splice(0)) {
      // Its reports and events reach JavaScript only when it is polled (an unref'd timer,
      // cleared by the disconnect); its delivery reports are nobody's any more.
      producer.removeAllListeners('delivery-report');
      producer.on('event.error', (err: unknown) => {
        if (rdkafkaCode(err) !== Kafka.CODES.ERRORS.ERR__FATAL) return;
        setTimeout(() => {
          // No poll while the client is destroyed on libuv's pool: node-rdkafka would stop its
          // timer only once disconnected.
          producer.setPollInterval(0);
          disconnectQuietly(producer);
        }, DISCONNECT_AFTER_FATAL_MS).unref();
      });
      producer.setPollInterval(100);
      try {
        producer.produce(partition.topic, partition.partition, Buffer.alloc(0), null);
      } catch {
        // Its queue refused it: it stays behind until the process exits.
      }
    }
  }
}
