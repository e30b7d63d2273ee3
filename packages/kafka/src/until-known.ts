import { setTimeout as delay } from 'node:timers/promises';
import Kafka from 'node-rdkafka';
import { rdkafkaCode } from './kafka-errors.js';

const CODES = Kafka.CODES.ERRORS;
const RETRY_MS = 200;

// What a broker answers for a partition it has not learned of yet: a topic created a moment ago
// (a table's changelog) reaches every broker of a cluster, and its leader, only after a while.
const NOT_YET_KNOWN = new Set<number>([CODES.ERR_UNKNOWN_TOPIC_OR_PART, CODES.ERR_LEADER_NOT_AVAILABLE, CODES.ERR_NOT_LEADER_FOR_PARTITION, CODES.ERR__UNKNOWN_PARTITION, CODES.ERR__UNKNOWN_TOPIC]);

/** Whether a broker's error says the cluster has not caught up with a topic or its leader yet. */
export function isNotYetKnown(err: unknown): boolean {
  const code = rdkafkaCode(err);
  return code !== undefined && NOT_YET_KNOWN.has(code);
}

/**
 * Runs `attempt` (given the milliseconds left) again while it fails because the cluster does not
 * know the partition yet, every 200 ms until `deadline` (epoch ms); any other failure, or this
 * one at the deadline, rejects as it came.
 */
export async function untilKnown<T>(attempt: (timeoutMs: number) => Promise<T>, deadline: number): Promise<T> {
  for (;;) {
    try {
      return await attempt(Math.max(deadline - Date.now(), 1));
    } catch (err) {
      if (!isNotYetKnown(err) || Date.now() + RETRY_MS >= deadline) throw err;
      await delay(RETRY_MS);
    }
  }
}
