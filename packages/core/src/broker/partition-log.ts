import type { MessageHeader, RawRecord } from '../transport/records.js';

/** Told by a {@link PartitionLog} when a record is appended: a consumer's cursor on it. */
export interface LogReader {
  onAppend(): void;
}

// Trimmed heads are dropped in bulk once they make up half the array: amortised O(1) per record.
const COMPACT_MIN = 1024;

/**
 * One partition of a topic on the embedded broker: an append-only array of records whose offsets
 * start at 0 and grow by one, as in Kafka. With a retention limit the oldest records are dropped
 * and the log start offset moves forward; offsets are never reused.
 *
 * The stored {@link RawRecord} objects are handed to every consumer as they are (no copy):
 * nobody may mutate them or their buffers.
 */
export class PartitionLog {
  /** Consumers assigned this partition, woken on every append. */
  readonly readers: LogReader[] = [];
  #records: RawRecord[] = [];
  // The topic-wide append sequence of each record, so records of all partitions can be merged.
  #sequences: number[] = [];
  #head = 0;
  #startOffset = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly retentionRecords = Infinity,
  ) {}

  /** The offset of the oldest record kept (0 unless retention dropped some). */
  get startOffset(): number {
    return this.#startOffset;
  }

  /** The offset the next appended record gets (Kafka's log end offset, high watermark here). */
  get endOffset(): number {
    return this.#startOffset + this.#records.length - this.#head;
  }

  /** Appends a record stamped with the next offset, wakes the readers and returns it. */
  append(
    key: Buffer | null,
    value: Buffer | null,
    headers: MessageHeader[] | undefined,
    timestamp: number,
    sequence: number,
  ): RawRecord {
    const record: RawRecord = {
      topic: this.topic,
      partition: this.partition,
      offset: this.endOffset,
      key,
      value,
      headers,
      timestamp,
    };
    this.#records.push(record);
    this.#sequences.push(sequence);
    if (this.#records.length - this.#head > this.retentionRecords) this.#dropOldest();
    const readers = this.readers;
    for (let i = 0; i < readers.length; i++) readers[i]!.onAppend();
    return record;
  }

  /**
   * Pushes up to `max` records starting at offset `from` onto `out`, in offset order, and
   * returns the offset after the last one pushed. `from` must be within the log.
   */
  read(from: number, max: number, out: RawRecord[]): number {
    const records = this.#records;
    const first = this.#head + (from - this.#startOffset);
    const last = Math.min(records.length, first + max);
    for (let i = first; i < last; i++) out.push(records[i]!);
    return from + (last - first);
  }

  /** The record at `offset`, or undefined when it is not (or no longer) in the log. */
  at(offset: number): RawRecord | undefined {
    if (offset < this.#startOffset) return undefined;
    return this.#records[this.#head + (offset - this.#startOffset)];
  }

  /** The topic-wide append sequence of the record at `offset` (which must be in the log). */
  sequenceAt(offset: number): number {
    return this.#sequences[this.#head + (offset - this.#startOffset)]!;
  }

  #dropOldest(): void {
    this.#head++;
    this.#startOffset++;
    if (this.#head >= COMPACT_MIN && this.#head * 2 >= this.#records.length) {
      this.#records = this.#records.slice(this.#head);
      this.#sequences = this.#sequences.slice(this.#head);
      this.#head = 0;
    }
  }
}
