import type { TopicPartition } from '@catenae/core';
import type Kafka from 'node-rdkafka';
import { disconnectQuietly } from './connect-client.js';

/**
 * Transactional producers a call of librdkafka's never returned from (sendOffsetsToTransaction
 * once the group coordinator's broker left the cluster, confluentinc/librdkafka#5511), left
 * behind by a transport that goes on with a new producer. Each holds a thread of libuv's pool,
 * which Node joins when the process exits, and stays connected, which keeps the event loop alive:
 * a process holding one never exits.
 *
 * `release` ends their calls once the new producer with the same `transactional.id` is
 * initialised, which fenced them: a record produced through a fenced producer makes librdkafka
 * register its partition with the transaction coordinator, which refuses (PRODUCER_FENCED).
 * librdkafka makes that a fatal error, and a fatal error answers the transactional call still
 * waiting. The record is never written: the coordinator refuses its partition before any produce
 * request goes out, and a fenced producer can never commit. Once the call has answered
 * (`callEnded`), nothing runs inside the producer any more and it is disconnected.
 */
export class StuckProducers {
  /** Left behind, their calls waiting. */
  readonly #left = new Set<Kafka.Producer>();
  /** Of those, the ones fenced and sent their record. */
  readonly #released = new Set<Kafka.Producer>();

  /** Leaves `producer` behind (never disconnected while its call waits). */
  add(producer: Kafka.Producer): void {
    // What it reports from now on (being fenced, its connections failing) is no news.
    producer.removeAllListeners('event.error');
    this.#left.add(producer);
  }

  /** Fences and releases every producer left behind, through a record for `partition` (an input of the link: never one it writes). */
  release(partition: TopicPartition): void {
    for (const producer of this.#left) {
      if (this.#released.has(producer)) continue;
      this.#released.add(producer);
      // Its delivery reports are nobody's any more, but are still served (an unref'd poll timer)
      // so that librdkafka frees them.
      producer.removeAllListeners('delivery-report');
      producer.setPollInterval(100);
      try {
        producer.produce(partition.topic, partition.partition, Buffer.alloc(0), null);
      } catch {
        // Its queue refused it: it stays behind until the process exits.
      }
    }
  }

  /**
   * The call that held `producer` answered at last, fenced or not: its thread is back in the pool
   * and the client is disconnected, with no call inside it. Producers never left behind are not
   * this class's to close.
   */
  callEnded(producer: Kafka.Producer): void {
    if (!this.#left.delete(producer)) return;
    this.#released.delete(producer);
    // No poll while the client is destroyed on libuv's pool: node-rdkafka would stop its timer
    // only once disconnected.
    producer.setPollInterval(0);
    disconnectQuietly(producer);
  }
}
