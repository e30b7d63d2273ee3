import type { PartitionOffset, RawRecord, TopicPartition } from '../transport/records.js';

/** The next-to-read offset of every partition in a batch. */
export function nextOffsets(records: readonly RawRecord[]): PartitionOffset[] {
  const next = new Map<string, PartitionOffset>();
  for (const { topic, partition, offset } of records) next.set(`${topic}\u0000${partition}`, { topic, partition, offset: offset + 1 });
  return [...next.values()];
}

/** `topic[0], topic[1]` for logs; `nothing` for none. */
export function describePartitions(partitions: readonly TopicPartition[]): string {
  return partitions.map(({ topic, partition }) => `${topic}[${partition}]`).join(', ') || 'nothing';
}
