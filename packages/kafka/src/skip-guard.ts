import type { RawRecord } from '@catenae/core';

/** What the guard knows of one partition that `skipTo` moved. */
interface Guarded {
  /** The partition's records below this offset are never handed out. */
  floor: number;
  /** The floor at the last seek made because records below it came back (one seek per floor). */
  seekedAt: number;
}

/**
 * Keeps the promise of `Transport.skipTo` whatever librdkafka does with the position.
 *
 * A seek made soon after an assignment can be undone: librdkafka's lookup of the group's
 * committed offset answers later and starts the partition there (confluentinc/librdkafka#2256;
 * about one run in ten of the transport contract on a local broker). So every record of a
 * partition that was skipped is checked: one below the floor is dropped (the partition is sought
 * again), one at or above it is handed out and raises the floor past itself, so records read
 * again after such a reset are not handed out twice. Kept while the partition is assigned.
 */
export class SkipGuard {
  readonly #topics = new Map<string, Map<number, Guarded>>();

  /** No partition is guarded: fetched batches need no check. */
  get isEmpty(): boolean {
    return this.#topics.size === 0;
  }

  /** The floor of a partition, or -1 if it is not guarded. */
  floorOf(topic: string, partition: number): number {
    return this.#topics.get(topic)?.get(partition)?.floor ?? -1;
  }

  /** Guards the partition from `offset` on (a floor never goes down). */
  raise(topic: string, partition: number, offset: number): void {
    let partitions = this.#topics.get(topic);
    if (partitions === undefined) this.#topics.set(topic, (partitions = new Map()));
    const guarded = partitions.get(partition);
    if (guarded === undefined) partitions.set(partition, { floor: offset, seekedAt: -1 });
    else guarded.floor = Math.max(guarded.floor, offset);
  }

  /** Stops guarding the partitions `isKept` says no to (they were revoked). */
  retain(isKept: (topic: string, partition: number) => boolean): void {
    for (const [topic, partitions] of this.#topics) {
      for (const partition of partitions.keys()) if (!isKept(topic, partition)) partitions.delete(partition);
      if (partitions.size === 0) this.#topics.delete(topic);
    }
  }

  /**
   * The records that may be handed out, in their order. `seek` is asked to move a partition back
   * to its floor when records below it arrived, once per floor.
   */
  filter(records: RawRecord[], seek: (topic: string, partition: number, offset: number) => void): RawRecord[] {
    let out: RawRecord[] | undefined;
    // Records come in runs of one partition: look the partition up once per run.
    let topic: string | undefined;
    let partition = -1;
    let guarded: Guarded | undefined;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (record.partition !== partition || record.topic !== topic) {
        topic = record.topic;
        partition = record.partition;
        guarded = this.#topics.get(topic)?.get(partition);
      }
      if (guarded === undefined || record.offset >= guarded.floor) {
        if (guarded !== undefined) guarded.floor = record.offset + 1;
        out?.push(record);
        continue;
      }
      out ??= records.slice(0, i);
      if (guarded.seekedAt !== guarded.floor) {
        guarded.seekedAt = guarded.floor;
        seek(topic, partition, guarded.floor);
      }
    }
    return out ?? records;
  }
}
