import type { TopicPartition } from '@catenae/core';

/** A set of topic partitions, looked up without building a key string per record. */
export class PartitionSet {
  readonly #topics = new Map<string, Set<number>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  has(topic: string, partition: number): boolean {
    return this.#topics.get(topic)?.has(partition) === true;
  }

  add(topic: string, partition: number): void {
    let partitions = this.#topics.get(topic);
    if (partitions === undefined) this.#topics.set(topic, (partitions = new Set()));
    if (!partitions.has(partition)) {
      partitions.add(partition);
      this.#size++;
    }
  }

  delete(topic: string, partition: number): void {
    const partitions = this.#topics.get(topic);
    if (partitions?.delete(partition) === true) {
      this.#size--;
      if (partitions.size === 0) this.#topics.delete(topic);
    }
  }

  addAll(list: readonly TopicPartition[]): void {
    for (const { topic, partition } of list) this.add(topic, partition);
  }

  deleteAll(list: readonly TopicPartition[]): void {
    for (const { topic, partition } of list) this.delete(topic, partition);
  }

  clear(): void {
    this.#topics.clear();
    this.#size = 0;
  }

  /** The members, topic by topic. */
  list(): TopicPartition[] {
    const out: TopicPartition[] = [];
    for (const [topic, partitions] of this.#topics) for (const partition of partitions) out.push({ topic, partition });
    return out;
  }
}
