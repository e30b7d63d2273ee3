import type { Logger } from 'winston';
import { CatenaeError, ErrorCode } from '../errors.js';
import type { PartitionOffset, RawRecord } from '../transport/records.js';
import type { PartitionReader } from '../transport/transport.js';
import type { TableKey } from './keyed-table.js';
import type { Shard } from './shard.js';
import type { ShardedTable } from './sharded-table.js';
import { decodeTableKey } from './table-key.js';

/** One shard to bring up to date, and the changelog offset its content already reflects. */
export interface ShardToRestore {
  table: ShardedTable;
  shard: Shard;
  from: number;
}

/** Who restores, for logs and progress reports. */
export interface RestoreContext {
  logger: Logger;
  /** Told of the records read so far, of about `total`, every `progressEveryMs`. */
  onProgress(records: number, total: number): void;
  /** Checked between batches: a revoke stops a restore. */
  isCancelled(): boolean;
  /** Progress is logged (and published) this often. */
  progressEveryMs: number;
}

/** Thrown into the reader when a revoke stopped the restore. */
export class RestoreCancelled extends Error {}

/**
 * Reads each shard's changelog partition from what the shard already reflects up to the end, so
 * the shard holds every change before its partition's first electron is handled. A local state
 * ahead of the changelog (the topic was recreated) is rebuilt from the start, with a warning.
 * Resolves with the number of records read.
 */
export async function restoreShards(reader: PartitionReader, shards: readonly ShardToRestore[], context: RestoreContext): Promise<number> {
  if (shards.length === 0) return 0;
  const { logger } = context;
  const marks = await reader.watermarks(shards.map(({ table, shard }) => ({ topic: table.codec.topic, partition: shard.partition })));
  const starts: PartitionOffset[] = [];
  const byPartition = new Map<string, ShardToRestore>();
  let total = 0;
  for (let i = 0; i < shards.length; i++) {
    const target = shards[i]!;
    const { low, high, topic, partition } = marks[i]!;
    let from = target.from;
    if (from > high) {
      logger.warn(`table ${target.table.name} shard ${partition}: the local state reflects offset ${from} but the changelog ends at ${high} (was it recreated?); rebuilding the shard from the changelog`);
      await target.shard.clear();
      from = 0;
    }
    from = Math.max(from, low);
    starts.push({ topic, partition, offset: from });
    byPartition.set(`${topic}\u0000${partition}`, target);
    total += high - from;
  }
  const partitions = [...new Set(shards.map(({ shard }) => shard.partition))].sort((a, b) => a - b);
  const startedAt = Date.now();
  let records = 0;
  let reportedAt = startedAt;
  context.onProgress(0, total);
  logger.debug(`restoring ${shards.length} table shard(s) of partitions ${partitions.join(', ')}: ${total} changelog record(s)`);
  const ends = await reader.readToEnd(starts, async (batch) => {
    if (context.isCancelled()) throw new RestoreCancelled('the partitions were revoked during the restore');
    await applyBatch(batch, byPartition);
    records += batch.length;
    const now = Date.now();
    if (now - reportedAt >= context.progressEveryMs) {
      reportedAt = now;
      const rate = Math.round(records / ((now - startedAt) / 1000));
      logger.info(`restoring tables of partitions ${partitions.join(', ')}: ${records} of ~${total} changelog records (${rate}/s); not ready until done`);
      context.onProgress(records, total);
    }
  });
  for (const end of ends) byPartition.get(`${end.topic}\u0000${end.partition}`)!.shard.restored(end.offset);
  const tookMs = Date.now() - startedAt;
  const line = `restored ${shards.length} table shard(s) of partitions ${partitions.join(', ')}: ${records} changelog record(s) in ${tookMs} ms`;
  if (tookMs >= context.progressEveryMs) logger.info(line);
  else logger.debug(line);
  context.onProgress(records, total);
  return records;
}

// Records of one partition come in order, but a batch may mix partitions: apply them in runs.
async function applyBatch(batch: readonly RawRecord[], byPartition: Map<string, ShardToRestore>): Promise<void> {
  let i = 0;
  while (i < batch.length) {
    const first = batch[i]!;
    const target = byPartition.get(`${first.topic}\u0000${first.partition}`);
    const run: [TableKey, Buffer | null][] = [];
    let end = first.offset + 1;
    for (; i < batch.length && batch[i]!.partition === first.partition && batch[i]!.topic === first.topic; i++) {
      const record = batch[i]!;
      end = record.offset + 1;
      if (record.key !== null) run.push([decodeTableKey(record.key), record.value]);
    }
    if (target === undefined) continue;
    try {
      await target.shard.restore(run, end);
    } catch (err) {
      throw new CatenaeError(ErrorCode.State, `table ${target.table.name}: cannot restore shard ${first.partition} from ${first.topic}: ${(err as Error).message}`, { cause: err });
    }
  }
}
