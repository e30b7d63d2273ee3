import type { PartitionOffset } from '../transport/records.js';

/**
 * The offsets of one partition in flight, in the order they were fetched. An offset is
 * committable once it and every offset before it are finished: a crash replays the rest.
 */
export class PartitionTracker {
  readonly topic: string;
  readonly partition: number;
  /** Whether `committable` moved since it was last collected. */
  isDirty = false;
  /**
   * Set when the group takes the partition away: its electrons not started yet are dropped
   * (the next owner reads them from the committed offset), never marked done.
   */
  isRevoked = false;
  /** The next offset to read, as Kafka commits it; -1 until one offset finished. */
  committable = -1;
  #offsets: number[] = [];
  /** Per fetched offset: 0 pending, 1 handled (its handler finished), 2 done (and acknowledged). */
  #done: number[] = [];
  #head = 0;
  /** The first not handled, and the last handled, positions in `#offsets`. */
  #handledHead = 0;
  #lastHandled = -1;
  /** Sequence number of `#offsets[0]`. */
  #base = 0;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  /** Records a fetched offset; returns its sequence number for {@link markDone}. */
  register(offset: number): number {
    this.#offsets.push(offset);
    this.#done.push(0);
    return this.#base + this.#offsets.length - 1;
  }

  /** Marks a fetched offset handled: its handler finished (or it was dead-lettered), outputs may still be unacknowledged. */
  markHandled(seq: number): void {
    const done = this.#done;
    const index = seq - this.#base;
    if (index < 0 || index >= done.length || done[index] !== 0) return;
    done[index] = 1;
    if (index > this.#lastHandled) this.#lastHandled = index;
    let head = this.#handledHead;
    while (head < done.length && done[head] !== 0) head++;
    this.#handledHead = head;
  }

  /**
   * The offset before which every fetched electron was handled, or undefined when none was, or
   * false when a later one was handled while an earlier one was not (out of order).
   */
  get handledPrefix(): number | undefined | false {
    // Done implies handled, for offsets of links that mark only what is done.
    let head = Math.max(this.#handledHead, this.#head);
    const done = this.#done;
    while (head < done.length && done[head] !== 0) head++;
    if (this.#lastHandled >= head) return false;
    return head === 0 ? undefined : this.#offsets[head - 1]! + 1;
  }

  /** Marks a fetched offset finished (processed and its outputs acknowledged). */
  markDone(seq: number): void {
    const done = this.#done;
    const index = seq - this.#base;
    if (index < 0 || index >= done.length) return;
    done[index] = 2;
    let head = this.#head;
    if (index !== head) return;
    while (head < done.length && done[head] === 2) head++;
    this.committable = this.#offsets[head - 1]! + 1;
    this.isDirty = true;
    this.#head = head;
    // Compact now and then, so memory stays bounded without shifting on every electron.
    if (head >= 4096 && head * 2 >= done.length) {
      this.#offsets.splice(0, head);
      done.splice(0, head);
      this.#base += head;
      this.#head = 0;
      this.#handledHead = Math.max(this.#handledHead - head, 0);
      this.#lastHandled = Math.max(this.#lastHandled - head, -1);
    }
  }

  /** Fetched offsets not finished yet. */
  get pending(): number {
    return this.#done.length - this.#head;
  }
}

/** The per-partition trackers of one consumer, and the offsets ready to commit. */
export class CommitTracker {
  readonly #partitions = new Map<string, PartitionTracker>();
  #last: PartitionTracker | undefined;

  /** The tracker of a partition; records of one partition come in runs, so the last one is cached. */
  trackerFor(topic: string, partition: number): PartitionTracker {
    const last = this.#last;
    if (last !== undefined && last.partition === partition && last.topic === topic) return last;
    const id = `${topic}\u0000${partition}`;
    let tracker = this.#partitions.get(id);
    if (tracker === undefined) {
      tracker = new PartitionTracker(topic, partition);
      this.#partitions.set(id, tracker);
    }
    this.#last = tracker;
    return tracker;
  }

  /** Offsets that moved since the last call, ready to commit. */
  takeCommittable(): PartitionOffset[] {
    const offsets: PartitionOffset[] = [];
    for (const tracker of this.#partitions.values()) {
      if (!tracker.isDirty) continue;
      tracker.isDirty = false;
      offsets.push({ topic: tracker.topic, partition: tracker.partition, offset: tracker.committable });
    }
    return offsets;
  }

  /** A revoke begins: electrons of these partitions that have not started are dropped from now on. */
  revoke(partitions: readonly { topic: string; partition: number }[]): void {
    for (const { topic, partition } of partitions) {
      const tracker = this.#partitions.get(`${topic}\u0000${partition}`);
      if (tracker) tracker.isRevoked = true;
    }
  }

  /** Forgets revoked partitions; electrons of theirs still in flight no longer move commits. */
  drop(partitions: readonly { topic: string; partition: number }[]): void {
    for (const { topic, partition } of partitions) {
      const id = `${topic}\u0000${partition}`;
      const tracker = this.#partitions.get(id);
      if (tracker) {
        tracker.isRevoked = true;
        this.#partitions.delete(id);
      }
    }
    this.#last = undefined;
  }

  /**
   * Per input topic of `partition`, the offset before which every fetched electron was handled,
   * or false when one was handled out of order (then no such offset is known).
   */
  handledOffsets(partition: number): Record<string, number> | false {
    const offsets: Record<string, number> = {};
    for (const tracker of this.#partitions.values()) {
      if (tracker.partition !== partition || tracker.isRevoked) continue;
      const prefix = tracker.handledPrefix;
      if (prefix === false) return false;
      if (prefix !== undefined) offsets[tracker.topic] = prefix;
    }
    return offsets;
  }

  /** Fetched electrons not finished yet, over all partitions. */
  get pending(): number {
    let pending = 0;
    for (const tracker of this.#partitions.values()) pending += tracker.pending;
    return pending;
  }
}
