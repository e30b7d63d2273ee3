import type { RebalanceListener, TopicPartition } from '@catenae/core';
import type Kafka from 'node-rdkafka';
import { publishClientError } from './diagnostics.js';
import { RdkafkaCode, rdkafkaCode } from './kafka-errors.js';
import type { PartitionSet } from './partition-set.js';
import { settleListener } from '@catenae/core';

const NO_LISTENER: RebalanceListener = { onAssigned() {}, onRevoked() {} };

/** What {@link GroupRebalance} shares with the consumer it serves. */
export interface GroupRebalanceOptions {
  clientId: string;
  revokeTimeoutMs: number;
  /** The partitions this member owns; kept up to date here. */
  assigned: PartitionSet;
  /** The partitions the runtime paused; revoked ones are removed here. */
  paused: PartitionSet;
  /** Whether the consumer is disconnecting: revoked partitions then go without `onRevoked`. */
  isClosed: () => boolean;
  /** Called as a revoke starts, after `assigned` lost the revoked partitions. */
  onRevoking: () => void;
}

/**
 * librdkafka's `rebalance_cb` for one consumer. node-rdkafka hands the callback to JavaScript
 * and librdkafka waits until the application assigns or unassigns, so a revoke can wait for the
 * listener's `onRevoked` (bounded by `revokeTimeoutMs`) before it gives the partitions up.
 * Revoked partitions are paused at once so no more of their records arrive meanwhile. Both the
 * cooperative (incremental) and the eager protocol are handled; listeners get only the
 * partitions that changed hands.
 */
export class GroupRebalance {
  listener: RebalanceListener = NO_LISTENER;
  /** Revokes that handed their partitions back so far. */
  revokes = 0;
  /** Per topic, per partition: the number of the last revoke that handed it back. */
  readonly #revokedAt = new Map<string, Map<number, number>>();
  readonly #options: GroupRebalanceOptions;
  #consumer: Kafka.KafkaConsumer | undefined;
  // node-rdkafka reports the protocol as NONE once it is closing, so it is read while connected.
  #cooperative: boolean | undefined;
  #revoking: Promise<void> | undefined;
  #error: Error | undefined;
  #waiters: Array<() => void> = [];

  constructor(options: GroupRebalanceOptions) {
    this.#options = options;
  }

  /** The function to set as the consumer's `rebalance_cb`. */
  readonly callback = (err: unknown, assignment: Kafka.Assignment[]): void => {
    const consumer = this.#consumer;
    if (consumer === undefined) return;
    const partitions = assignment.map(({ topic, partition }) => ({ topic, partition }));
    const code = rdkafkaCode(err);
    if (code === RdkafkaCode.AssignPartitions) this.#assign(consumer, assignment, partitions);
    else if (code === RdkafkaCode.RevokePartitions) this.#revoking = this.#revoke(consumer, assignment, partitions);
    else {
      publishClientError(this.#options.clientId, 'consumer', err);
      this.#call(() => consumer.unassign());
      this.#options.assigned.clear();
      this.#notify();
    }
  };

  /** Binds the consumer the callback acts on (created after the callback, which it needs). */
  attach(consumer: Kafka.KafkaConsumer): void {
    this.#consumer = consumer;
  }

  /** Whether a revoke waits for its listener. */
  get isRevoking(): boolean {
    return this.#revoking !== undefined;
  }

  /** The first error a listener threw or rejected with since the last call, once. */
  takeError(): Error | undefined {
    const error = this.#error;
    this.#error = undefined;
    return error;
  }

  /** Resolves once nothing is assigned and no revoke is running, or at the deadline (epoch ms). */
  async untilUnassigned(deadline: number): Promise<void> {
    while ((this.#options.assigned.size > 0 || this.#revoking !== undefined) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #assign(consumer: Kafka.KafkaConsumer, assignment: Kafka.Assignment[], partitions: TopicPartition[]): void {
    this.#cooperative ??= consumer.rebalanceProtocol() === 'COOPERATIVE';
    this.#options.assigned.addAll(partitions);
    if (this.#cooperative) this.#call(() => consumer.incrementalAssign(assignment));
    else this.#call(() => consumer.assign(assignment));
    if (!this.#options.isClosed()) {
      try {
        this.listener.onAssigned(partitions);
      } catch (err) {
        this.#error ??= err instanceof Error ? err : new Error(String(err));
      }
    }
    this.#notify();
  }

  async #revoke(consumer: Kafka.KafkaConsumer, assignment: Kafka.Assignment[], partitions: TopicPartition[]): Promise<void> {
    const cooperative = this.#cooperative ?? consumer.rebalanceProtocol() === 'COOPERATIVE';
    const { assigned, paused } = this.#options;
    assigned.deleteAll(partitions);
    paused.deleteAll(partitions);
    this.#options.onRevoking();
    if (!this.#options.isClosed()) {
      this.#call(() => consumer.pause(partitions));
      const what = `onRevoked of Kafka client "${this.#options.clientId}"`;
      const error = await settleListener(() => this.listener.onRevoked(partitions), this.#options.revokeTimeoutMs, what);
      if (error !== null) this.#error ??= error;
    }
    if (cooperative) this.#call(() => consumer.incrementalUnassign(assignment));
    else this.#call(() => consumer.unassign());
    // Clears the pause set above, so partitions assigned here again start unpaused.
    if (!this.#options.isClosed()) this.#call(() => consumer.resume(partitions));
    this.revokes++;
    for (const { topic, partition } of partitions) {
      let byPartition = this.#revokedAt.get(topic);
      if (byPartition === undefined) this.#revokedAt.set(topic, (byPartition = new Map()));
      byPartition.set(partition, this.revokes);
    }
    this.#revoking = undefined;
    this.#notify();
  }

  /** Whether a revoke after the `mark`-th (a value of `revokes`) handed back any of `partitions`. */
  revokedSince(mark: number, partitions: readonly TopicPartition[]): boolean {
    return partitions.some(({ topic, partition }) => (this.#revokedAt.get(topic)?.get(partition) ?? 0) > mark);
  }

  #notify(): void {
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  #call(fn: () => unknown): void {
    try {
      fn();
    } catch (err) {
      publishClientError(this.#options.clientId, 'consumer', err);
    }
  }
}
