import type { Logger } from 'winston';
import { CatenaeError, ErrorCode, isCatenaeError } from '../errors.js';
import type { LinkTables } from '../state/link-tables.js';
import type { TopicPartition } from '../transport/records.js';
import type { Transport } from '../transport/transport.js';
import { errorMessage } from './failure-policy.js';
import type { PartitionGate } from './partition-gate.js';

const RESTORE_REASON = 'table-restore';

/**
 * Keeps a link's tables in step with its partitions: checks at start that the inputs share one
 * partition count and creates the changelogs (and the topic of calls by key) with it; on assignment pauses the new partitions
 * until their shards are restored; on revoke hands the shards back.
 */
export class TablePartitions {
  readonly #tables: LinkTables;
  readonly #transport: Transport;
  readonly #gate: PartitionGate;
  readonly #linkName: string;
  readonly #onFatal: (err: Error) => void;
  readonly #logger: Logger;

  constructor(tables: LinkTables, transport: Transport, gate: PartitionGate, linkName: string, logger: Logger, onFatal: (err: Error) => void) {
    this.#logger = logger;
    this.#tables = tables;
    this.#transport = transport;
    this.#gate = gate;
    this.#linkName = linkName;
    this.#onFatal = onFatal;
  }

  /**
   * Reads the inputs' partition count and creates each table's changelog with it (compacted).
   * @throws CatenaeError `CATENAE_BAD_LINK` without inputs; `CATENAE_STATE` when the inputs'
   *   partition counts differ, or a changelog exists with another count or cannot be created.
   */
  async prepare(inputs: readonly string[], keyedCallTopic: string | undefined): Promise<{ takesCallsByKey: boolean }> {
    const link = this.#linkName;
    const names = this.#tables.tables.map((table) => table.name).join(', ');
    if (inputs.length === 0) {
      throw new CatenaeError(ErrorCode.BadLink, `link ${link} has tables (${names}) but no inputs: a table is sharded like the input, give it -i or @Link({ inputs })`);
    }
    const counts = await Promise.all(inputs.map((topic) => this.#transport.partitionCount(topic)));
    const partitions = counts[0]!;
    if (counts.some((count) => count !== partitions)) {
      const list = inputs.map((topic, i) => `${topic}: ${counts[i]}`).join(', ');
      throw new CatenaeError(ErrorCode.State, `link ${link}: its inputs have different partition counts (${list}); its tables shard by input partition, so every input needs the same count`);
    }
    this.#tables.configure(partitions);
    // Calls by key are read with the input, so their topic is partitioned like it; a call is
    // worth nothing after its caller gave up, so an hour of them is kept.
    const calls = keyedCallTopic === undefined ? [] : [{ topic: keyedCallTopic, partitions, config: { 'retention.ms': String(60 * 60 * 1000) } }];
    const changelogs = this.#tables.changelogTopics();
    try {
      await this.#transport.ensureTopics([...changelogs, ...calls]);
    } catch (err) {
      throw new CatenaeError(ErrorCode.State, `link ${link}: cannot create the topics of its tables (${[...changelogs, ...calls].map((c) => c.topic).join(', ')}): ${errorMessage(err)}`, { cause: err });
    }
    for (const { topic } of changelogs) {
      const count = await this.#transport.partitionCount(topic);
      if (count !== partitions) {
        throw new CatenaeError(ErrorCode.State, `link ${link}: changelog ${topic} has ${count} partitions but the inputs have ${partitions}; its shards cannot follow the inputs (re-create it with ${partitions}, or give the inputs ${count})`);
      }
    }
    if (keyedCallTopic === undefined) return { takesCallsByKey: false };
    const callPartitions = await this.#transport.partitionCount(keyedCallTopic);
    if (callPartitions === partitions) return { takesCallsByKey: true };
    // Another deployment of a link of this name uses other inputs: calls by key would reach the wrong instances.
    this.#logger.warn(`calls by key are off: ${keyedCallTopic} has ${callPartitions} partitions but the inputs have ${partitions} (another deployment of link ${link}?)`);
    return { takesCallsByKey: false };
  }

  /** Checks a topic added at run time (`ctx.addInput`) against the tables' partition count. */
  async checkInput(topic: string): Promise<void> {
    const count = await this.#transport.partitionCount(topic);
    if (count !== this.#tables.partitions) {
      throw new CatenaeError(ErrorCode.State, `link ${this.#linkName} cannot read "${topic}": it has ${count} partitions and the link's tables ${this.#tables.partitions}`);
    }
  }

  /** Input the restored shards already reflect is skipped: it is not applied twice after a crash. */
  async #skipApplied(held: readonly TopicPartition[]): Promise<void> {
    const skips: { topic: string; partition: number; offset: number }[] = [];
    for (const { topic, partition } of held) {
      if (!this.#tables.holds(partition)) continue;
      const offset = this.#tables.restoredOffsets(partition)?.[topic];
      if (offset !== undefined) skips.push({ topic, partition, offset });
    }
    if (skips.length > 0) await this.#transport.skipTo(skips);
  }

  /**
   * The group assigned `assignment` (the whole of it): partitions whose shards this instance does
   * not hold are paused until restored. A failed restore stops the link.
   */
  assigned(assignment: readonly TopicPartition[]): void {
    const numbers = [...new Set(assignment.map((tp) => tp.partition))];
    const fresh = new Set(numbers.filter((p) => !this.#tables.holds(p)));
    if (fresh.size === 0) return;
    const held = assignment.filter((tp) => fresh.has(tp.partition));
    this.#gate.hold(RESTORE_REASON, held);
    this.#tables
      .assign([...fresh], () => this.#transport.createReader())
      .then(() => this.#skipApplied(held))
      .then(
        // Only what is restored now: a later assignment may hold some of them for its own restore.
        () => this.#gate.release(RESTORE_REASON, held.filter((tp) => this.#tables.holds(tp.partition))),
        (err: unknown) => {
          const error = isCatenaeError(err) ? err : new CatenaeError(ErrorCode.State, `link ${this.#linkName}: restoring its tables failed: ${errorMessage(err)}`, { cause: err });
          this.#onFatal(error);
        },
      );
  }
}
