/** How long a transactional member's revoke may wait for the transaction in flight (two commit attempts and an abort). */
const TRANSACTIONAL_REVOKE_TIMEOUT_MS = 180_000;

/** Time limits of a `KafkaTransport`, in milliseconds. */
export interface KafkaTimeouts {
  /** `connect()` gives up after this long (default 10000). */
  connectTimeoutMs: number;
  /** `onRevoked` may take this long before the partitions are given up anyway (default 10000; at least 180000 for a transactional transport, whose revoke waits for the transaction in flight). */
  revokeTimeoutMs: number;
  /** A commit rejects when the broker has not answered in this long (default 30000). */
  commitTimeoutMs: number;
  /** `ensureTopics` gives up after this long (default 30000). */
  topicTimeoutMs: number;
  /** Each half of `close()` (leaving the group, flushing the producer) takes at most this long (default 10000). */
  closeTimeoutMs: number;
}

/**
 * How long a revoke may wait for the link's `onRevoked`. A transactional member's waits for the
 * transaction in flight, which may be redone (see KafkaTransactions): giving its partitions up
 * earlier would let it commit work the next owner repeats. The group waits for it up to
 * `max.poll.interval.ms` (300 s by default).
 */
export function revokeTimeoutOf(timeouts: KafkaTimeouts, transactional: boolean): number {
  return transactional ? Math.max(timeouts.revokeTimeoutMs, TRANSACTIONAL_REVOKE_TIMEOUT_MS) : timeouts.revokeTimeoutMs;
}
