import type { OutputGroup } from '../runtime/output-group.js';
import type { Shard } from './shard.js';
import type { ShardedTable } from './sharded-table.js';
import { OFFSETS_KEY } from './table-key.js';
import type { WindowedShardedTable } from './windowed-table.js';

/** What cutting a link's table changes needs to know. */
export interface ChangeCutsOptions {
  tables: readonly ShardedTable[];
  windowed: readonly WindowedShardedTable[];
  /** Exactly-once: changes are durable when their transaction commits, not when acknowledged. */
  isTransactional: boolean;
  /** Per input topic of a partition, the offset before which every electron was handled (see LinkTablesOptions). */
  handledOffsets: ((partition: number) => Record<string, number> | false) | undefined;
}

/**
 * Turns the pending changes of a link's tables into changelog records, a cut at a time: one
 * record per changed key (its value at the cut, or a tombstone), then the input offsets the cut
 * reflects; and tracks which records are durable.
 */
export class ChangeCuts {
  readonly #options: ChangeCutsOptions;
  /** Tables whose codec can carry the input offsets entry (not Avro). */
  readonly #carriesOffsets = new Set<ShardedTable>();

  constructor(options: ChangeCutsOptions) {
    this.#options = options;
    if (options.handledOffsets === undefined) return;
    for (const table of options.tables) {
      try {
        table.codec.encode(this.#offsetsEntry(table, { topic: 1 }));
        this.#carriesOffsets.add(table);
      } catch {
        // A schema'd codec (Avro) has no room for it: this table's restores replay from the committed offsets.
      }
    }
  }

  /**
   * Appends a changelog record per pending key (its value now, or a tombstone) to `group`, with
   * marks that say which records it carries per shard.
   * @throws CatenaeError `CATENAE_ENCODE` when a value changed since its handler returned can no longer be encoded.
   */
  cut(group: OutputGroup): void {
    const marksDurable = !this.#options.isTransactional;
    const handledOffsets = this.#options.handledOffsets;
    for (const table of this.#options.tables) {
      const carriesOffsets = this.#carriesOffsets.has(table);
      for (const shard of table.shards) {
        if (shard === undefined || shard.pending.size === 0) continue;
        // Last in the partition: on the broker it implies every change cut before it.
        if (carriesOffsets) this.#noteOffsets(table, shard, handledOffsets!(shard.partition));
        for (const key of shard.pending) {
          const record = table.changeRecord(shard, key);
          group.records.push(record);
          shard.emitted(key, record.value, shard.produced++);
        }
        shard.pending.clear();
        if (marksDurable) (group.marks ??= []).push(shard, shard.produced);
      }
    }
  }

  /**
   * Records with a cut of changes the input offsets it reflects: every electron below them was
   * handled and its changes are in this cut or an earlier one, none at or above is (false when
   * electrons were handled out of order). A restore then skips the input below them, so an
   * electron's changes are never applied twice after a crash, in any mode.
   */
  #noteOffsets(table: ShardedTable, shard: Shard, handled: Record<string, number> | false): void {
    const before = this.#unwrapOffsets(table, shard.get(OFFSETS_KEY));
    const offsets = handled === false ? false : { ...(before || {}), ...handled };
    shard.put(OFFSETS_KEY, this.#offsetsEntry(table, offsets));
    shard.pending.delete(OFFSETS_KEY);
    shard.pending.add(OFFSETS_KEY);
  }

  #offsetsEntry(table: ShardedTable, offsets: Record<string, number> | false): unknown {
    return this.#isWindowed(table) ? { value: offsets, end: 0, closed: false } : offsets;
  }

  #unwrapOffsets(table: ShardedTable, stored: unknown): Record<string, number> | false | undefined {
    if (stored === undefined) return undefined;
    return (this.#isWindowed(table) ? (stored as { value: unknown }).value : stored) as Record<string, number> | false;
  }

  #isWindowed(table: ShardedTable): boolean {
    return this.#options.windowed.some((windowed) => windowed.raw === table);
  }

  /**
   * The input offsets a restored partition's shards reflect, per input topic: the smallest over
   * its tables; undefined when one table lacks them (nothing to skip: the committed offsets rule).
   */
  restoredOffsets(partition: number): Record<string, number> | undefined {
    if (this.#options.handledOffsets === undefined || this.#carriesOffsets.size !== this.#options.tables.length) return undefined;
    let least: Record<string, number> | undefined;
    for (const table of this.#options.tables) {
      const shard = table.shards[partition];
      const offsets = shard === undefined ? undefined : this.#unwrapOffsets(table, shard.get(OFFSETS_KEY));
      if (offsets === undefined || offsets === false) return undefined;
      if (least === undefined) least = { ...offsets };
      else {
        for (const topic of Object.keys(least)) {
          if (offsets[topic] === undefined) delete least[topic];
          else least[topic] = Math.min(least[topic]!, offsets[topic]!);
        }
      }
    }
    return least;
  }

  /** The broker acknowledged a group: its changelog records are durable. */
  acknowledged(marks: readonly unknown[]): void {
    for (let i = 0; i < marks.length; i += 2) {
      const shard = marks[i] as Shard;
      const produced = marks[i + 1] as number;
      if (produced > shard.durable) shard.durable = produced;
    }
  }

  /** Exactly-once: a transaction committed, so every change produced so far is durable. */
  committed(): void {
    for (const table of this.#options.tables) for (const shard of table.shards) if (shard !== undefined) shard.durable = shard.produced;
  }

}
