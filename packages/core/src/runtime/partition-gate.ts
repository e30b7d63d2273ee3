import type { TopicPartition } from '../transport/records.js';
import type { Transport } from '../transport/transport.js';

/**
 * Pauses partitions for several reasons at once (the input mode, a table restore): a partition
 * is resumed only once no reason holds it any more. Pauses are lost when partitions are
 * revoked, as in Kafka: `forget` clears them.
 */
export class PartitionGate {
  readonly #transport: Transport;
  readonly #holds = new Map<string, Set<string>>();

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Pauses the partitions for `reason`. */
  hold(reason: string, partitions: readonly TopicPartition[]): void {
    if (partitions.length === 0) return;
    for (const tp of partitions) {
      const id = idOf(tp);
      let reasons = this.#holds.get(id);
      if (reasons === undefined) this.#holds.set(id, (reasons = new Set()));
      reasons.add(reason);
    }
    this.#transport.pause(partitions);
  }

  /** Lifts `reason`; resumes the partitions no other reason holds. */
  release(reason: string, partitions: readonly TopicPartition[]): void {
    const free: TopicPartition[] = [];
    for (const tp of partitions) {
      const id = idOf(tp);
      const reasons = this.#holds.get(id);
      if (reasons !== undefined) {
        reasons.delete(reason);
        if (reasons.size > 0) continue;
        this.#holds.delete(id);
      }
      free.push(tp);
    }
    if (free.length > 0) this.#transport.resume(free);
  }

  /** Whether some reason holds the partition. */
  isHeld(tp: TopicPartition): boolean {
    return this.#holds.has(idOf(tp));
  }

  /** The partitions were revoked: their pauses are gone. */
  forget(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.#holds.delete(idOf(tp));
  }
}

function idOf(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}
