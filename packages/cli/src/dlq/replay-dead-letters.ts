import { CatenaeError, DeadLetterHeader, ErrorCode, type MessageHeader, type OutgoingRecord, type PartitionOffset, type RawRecord, type Transport, type TransportFactory } from '@catenae/core';

// A replayed record drops every header the link added to its dead letter.
const DEAD_LETTER_HEADERS: ReadonlySet<string> = new Set(Object.values(DeadLetterHeader));

const FETCH_MAX = 500;
const FETCH_WAIT_MS = 200;

/** What {@link replayDeadLetters} does. */
export interface ReplayOptions {
  factory: TransportFactory;
  /** The dead-letter topic, `<topic>.dlq`. */
  topic: string;
  /** Read and report only: nothing is sent, no progress is committed. */
  dryRun: boolean;
  /** Send every letter here instead of the topic it came from. */
  to?: string;
  /** The group whose committed offsets remember what was replayed (default `catenae_dlq_replay_<topic>`). */
  group?: string;
  /** Stop after this long without a record once assigned (default 3000 ms): the rest was replayed before. */
  idleMs?: number;
  /** Called for each letter read, in order per partition. */
  onLetter?: (letter: DeadLetter) => void;
}

/** One dead letter as the replay saw it. */
export interface DeadLetter {
  partition: number;
  offset: number;
  key: string | null;
  /** Where it goes, undefined when it names no source topic (it is then skipped). */
  destination: string | undefined;
  /** The error the link recorded. */
  error: string | undefined;
}

/** What a replay did. */
export interface ReplaySummary {
  /** Letters sent again (or that would be, in a dry run), by destination topic. */
  replayed: Record<string, number>;
  /** Letters without a source topic, left where they are. */
  skipped: number;
}

/**
 * Re-sends the dead letters of `topic` to the topics they came from, as they first arrived (key,
 * value, headers without the error ones; a keyless letter to its source partition), reading in a
 * consumer group whose committed offsets remember what was replayed, up to the end the topic had
 * when the replay began. Each batch is acknowledged before its progress is committed: a crash
 * replays a batch twice, never loses one.
 * @throws CatenaeError `CATENAE_BAD_FLAG` when the topic does not exist; transport errors.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplaySummary> {
  const { topic, dryRun } = options;
  const group = options.group ?? `catenae_dlq_replay_${topic}`;
  const transport = options.factory.create({ clientId: 'catenae-dlq-replay', groupId: group, idempotent: true });
  const summary: ReplaySummary = { replayed: {}, skipped: 0 };
  try {
    await transport.connect();
    const ends = await endOffsets(transport, topic);
    const unfinished = new Set([...ends].filter(([, end]) => end.high > end.low).map(([p]) => p));
    if (unfinished.size === 0) return summary;
    let assignedAt: number | undefined;
    transport.subscribe([topic], { onAssigned: () => void (assignedAt ??= Date.now()), onRevoked: () => undefined });
    let lastRecordAt = Date.now();
    while (unfinished.size > 0) {
      const records = await fetch(transport);
      if (records.length === 0) {
        if (assignedAt !== undefined && Date.now() - Math.max(lastRecordAt, assignedAt) >= (options.idleMs ?? 3000)) break;
        continue;
      }
      lastRecordAt = Date.now();
      const out: OutgoingRecord[] = [];
      const progress = new Map<number, PartitionOffset>();
      for (const record of records) {
        const end = ends.get(record.partition)!.high;
        if (record.offset >= end) {
          unfinished.delete(record.partition);
          continue;
        }
        if (record.offset + 1 >= end) unfinished.delete(record.partition);
        progress.set(record.partition, { topic, partition: record.partition, offset: record.offset + 1 });
        const replay = replayRecordOf(record, options.to);
        options.onLetter?.({
          partition: record.partition,
          offset: record.offset,
          key: record.key === null ? null : record.key.toString('utf8'),
          destination: replay?.topic,
          error: headerText(record.headers, DeadLetterHeader.Error),
        });
        if (replay === undefined) summary.skipped++;
        else {
          out.push(replay);
          summary.replayed[replay.topic] = (summary.replayed[replay.topic] ?? 0) + 1;
        }
      }
      if (dryRun) continue;
      if (out.length > 0) await new Promise<void>((resolve, reject) => transport.produce(out, (err) => (err ? reject(err) : resolve())));
      if (progress.size > 0) await transport.commit([...progress.values()]);
    }
    return summary;
  } finally {
    await transport.close();
  }
}

/** The record a dead letter came from, bound for its source topic (or `to`); undefined without one. */
function replayRecordOf(letter: RawRecord, to: string | undefined): OutgoingRecord | undefined {
  const destination = to ?? headerText(letter.headers, DeadLetterHeader.SourceTopic);
  if (destination === undefined || destination === '') return undefined;
  const headers: MessageHeader[] = [];
  for (const header of letter.headers ?? []) {
    const kept: MessageHeader = {};
    let any = false;
    for (const name of Object.keys(header)) {
      if (DEAD_LETTER_HEADERS.has(name)) continue;
      kept[name] = header[name]!;
      any = true;
    }
    if (any) headers.push(kept);
  }
  // A keyed record goes where its key leads (murmur2); a keyless one back to its partition, so
  // it keeps its place among the records of that partition.
  const sourcePartition = Number(headerText(letter.headers, DeadLetterHeader.SourcePartition));
  const partition = letter.key === null && to === undefined && Number.isInteger(sourcePartition) ? sourcePartition : undefined;
  return { topic: destination, partition, key: letter.key, value: letter.value, headers: headers.length > 0 ? headers : undefined, timestamp: letter.timestamp };
}

async function endOffsets(transport: Transport, topic: string): Promise<Map<number, { low: number; high: number }>> {
  const partitions = await transport.partitionCount(topic);
  if (partitions === undefined) throw new CatenaeError(ErrorCode.BadFlag, `topic ${topic} does not exist: no link dead-lettered anything there`);
  const reader = transport.createReader();
  try {
    const marks = await reader.watermarks(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
    return new Map(marks.map((m) => [m.partition, { low: m.low, high: m.high }]));
  } finally {
    await reader.close();
  }
}

function fetch(transport: Transport): Promise<RawRecord[]> {
  return new Promise((resolve, reject) => transport.fetch(FETCH_MAX, FETCH_WAIT_MS, (err, records) => (err ? reject(err) : resolve(records))));
}

// Header values are Buffers from Kafka, strings from the embedded broker.
function headerText(headers: MessageHeader[] | undefined, name: string): string | undefined {
  for (const header of headers ?? []) {
    const value = header[name];
    if (value !== undefined) return typeof value === 'string' ? value : value.toString('utf8');
  }
  return undefined;
}
