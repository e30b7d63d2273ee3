import { CatenaeError, ErrorCode } from '../errors.js';
import type { PartitionOffset, PartitionWatermarks, RawRecord, TopicPartition } from '../transport/records.js';
import type { PartitionReader } from '../transport/transport.js';
import type { EmbeddedBroker } from './embedded-broker.js';

const BATCH = 10_000;

/**
 * A {@link PartitionReader} on an {@link EmbeddedBroker}: reads the partition logs directly. A
 * transaction's records are appended only when it commits, so everything here is committed.
 */
export class EmbeddedReader implements PartitionReader {
  readonly #broker: EmbeddedBroker;
  #closed = false;

  constructor(broker: EmbeddedBroker) {
    this.#broker = broker;
  }

  async watermarks(partitions: readonly TopicPartition[]): Promise<PartitionWatermarks[]> {
    this.#checkOpen();
    return partitions.map(({ topic, partition }) => {
      const log = this.#logOf(topic, partition);
      return { topic, partition, low: log.startOffset, high: log.endOffset };
    });
  }

  async readToEnd(starts: readonly PartitionOffset[], onBatch: (records: RawRecord[]) => Promise<void> | void): Promise<PartitionOffset[]> {
    this.#checkOpen();
    const ends: PartitionOffset[] = [];
    for (const { topic, partition, offset } of starts) {
      const log = this.#logOf(topic, partition);
      const end = log.endOffset;
      let position = Math.max(offset, log.startOffset);
      while (position < end) {
        const batch: RawRecord[] = [];
        position = log.read(position, Math.min(BATCH, end - position), batch);
        if (batch.length === 0) break;
        await onBatch(batch);
      }
      ends.push({ topic, partition, offset: Math.max(position, end) });
    }
    return ends;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #logOf(topic: string, partition: number) {
    const log = this.#broker.logsOf(topic)?.[partition];
    if (log === undefined) throw new CatenaeError(ErrorCode.Broker, `partition ${partition} of topic "${topic}" does not exist`);
    return log;
  }

  #checkOpen(): void {
    if (this.#closed) throw new CatenaeError(ErrorCode.Closed, 'the partition reader is closed');
  }
}
