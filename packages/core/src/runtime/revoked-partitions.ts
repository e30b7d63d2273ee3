import type { RawRecord, TopicPartition } from '../transport/records.js';

/**
 * The partitions the group took away since the open exactly-once transaction began. A failed
 * transaction whose partitions all went back to the group loses nothing once aborted: their next
 * owner (maybe this member again) reads them from the last committed transaction.
 */
export class RevokedPartitions {
  readonly #revoked = new Set<string>();
  #wake: (() => void) | undefined;

  /** A transaction begins: revokes before it do not count. */
  reset(): void {
    this.#revoked.clear();
  }

  /** The group takes these partitions away. */
  add(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.#revoked.add(idOf(tp.topic, tp.partition));
    this.#wake?.();
  }

  /**
   * Resolves with true once every partition of `records` was revoked since {@link reset}, waiting
   * up to `waitMs` for the revokes still to come; false at the deadline.
   */
  async cover(records: readonly RawRecord[], waitMs: number): Promise<boolean> {
    const partitions = new Set(records.map((r) => idOf(r.topic, r.partition)));
    const deadline = Date.now() + waitMs;
    for (;;) {
      if ([...partitions].every((id) => this.#revoked.has(id))) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}

function idOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
