import type { PartitionOffset, RawRecord, TopicPartition } from '../transport/records.js';

/** The next-to-read offset of every partition in a batch. */
export function nextOffsets(records: readonly RawRecord[]): PartitionOffset[] {
  const next = new Map<string, PartitionOffset>();
  // A fetch brings runs of one partition, in offset order: a map lookup per run, not per record.
  let last: PartitionOffset | undefined;
  for (const { topic, partition, offset } of records) {
    if (last === undefined || last.partition !== partition || last.topic !== topic) {
      const id = `${topic}\u0000${partition}`;
      last = next.get(id);
      if (last === undefined) next.set(id, (last = { topic, partition, offset }));
    }
    last.offset = offset + 1;
  }
  return [...next.values()];
}

/** `topic[0], topic[1]` for logs; `nothing` for none. */
export function describePartitions(partitions: readonly TopicPartition[]): string {
  return partitions.map(({ topic, partition }) => `${topic}[${partition}]`).join(', ') || 'nothing';
}
