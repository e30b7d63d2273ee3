import type { PartitionLog } from './partition-log.js';

/** A consumer in a group, as the {@link GroupCoordinator} drives it. */
export interface GroupMember {
  /** The topics this member subscribes to. */
  readonly topics: readonly string[];
  /** Asks for Kafka's range assignment: the same partition numbers of every topic. */
  readonly copartitioned?: boolean;
  /**
   * Gives up every partition the member owns: settles once its rebalance listener finished
   * (bounded by the broker's rebalance timeout). Never rejects.
   */
  revokeAll(): Promise<void>;
  /** Hands the member its new partitions. */
  assign(partitions: readonly PartitionLog[]): void;
  /** Whether some owned partition (paused or not) has records the member has not fetched. */
  hasUnread(): boolean;
}

/** Where a coordinator finds the partitions of a topic. */
export interface PartitionDirectory {
  /** The logs of `topic`, by partition number, or undefined when the topic does not exist. */
  logsOf(topic: string): readonly PartitionLog[] | undefined;
}

/**
 * One consumer group on the embedded broker: its members, their partitions and the group's
 * committed offsets, following Kafka's classic (eager) protocol.
 *
 * A rebalance runs whenever a member joins, leaves or changes its subscription, or a subscribed
 * topic is created. It first revokes every member's partitions and waits for each member's
 * `onRevoked` to settle (so it can commit), then spreads the partitions of all subscribed topics
 * round-robin over the members in join order (Kafka's RoundRobinAssignor: partitions sorted by
 * topic then number, a member skipped for topics it does not subscribe to), or in ranges per topic
 * when a member asks for co-partitioning (Kafka's RangeAssignor). Rebalances that are
 * requested while one runs are folded into it.
 */
export class GroupCoordinator {
  readonly #members: GroupMember[] = [];
  // topic -> partition -> next offset to read
  readonly #committed = new Map<string, Map<number, number>>();
  #generation = 0;
  #dirty = false;
  #running = false;

  constructor(
    readonly groupId: string,
    readonly directory: PartitionDirectory,
  ) {}

  /** The generation of the latest assignment; grows by one per rebalance. */
  get generation(): number {
    return this.#generation;
  }

  /** Whether a rebalance is running or requested. */
  get isRebalancing(): boolean {
    return this.#running || this.#dirty;
  }

  /** The members, in join order. */
  get members(): readonly GroupMember[] {
    return this.#members;
  }

  /** Adds a member and rebalances the group. */
  join(member: GroupMember): void {
    if (!this.#members.includes(member)) this.#members.push(member);
    this.requestRebalance();
  }

  /** Revokes the member's partitions (awaiting its listener), removes it and rebalances the rest. */
  async leave(member: GroupMember): Promise<void> {
    await member.revokeAll();
    const index = this.#members.indexOf(member);
    if (index < 0) return;
    this.#members.splice(index, 1);
    this.requestRebalance();
  }

  /** Whether some member subscribes to `topic`. */
  subscribes(topic: string): boolean {
    return this.#members.some((m) => m.topics.includes(topic));
  }

  /** Schedules a rebalance; members joining in the same turn of the event loop share it. */
  requestRebalance(): void {
    this.#dirty = true;
    if (this.#running) return;
    this.#running = true;
    setImmediate(() => void this.#run());
  }

  /** Stores next-to-read offsets for the group (the caller checked ownership). */
  commit(topic: string, partition: number, offset: number): void {
    let byPartition = this.#committed.get(topic);
    if (byPartition === undefined) this.#committed.set(topic, (byPartition = new Map()));
    byPartition.set(partition, offset);
  }

  /** The group's committed next-to-read offset, or undefined when none was committed. */
  committed(topic: string, partition: number): number | undefined {
    return this.#committed.get(topic)?.get(partition);
  }

  async #run(): Promise<void> {
    while (this.#dirty) {
      await Promise.all(this.#members.map((m) => m.revokeAll()));
      // Computed after the revocations settled, so joins and leaves meanwhile are included.
      this.#dirty = false;
      const plan = this.#members.some((m) => m.copartitioned === true) ? assignRange(this.#members, this.directory) : assignRoundRobin(this.#members, this.directory);
      this.#generation++;
      for (let i = 0; i < this.#members.length; i++) this.#members[i]!.assign(plan[i]!);
    }
    this.#running = false;
  }
}

function assignRoundRobin(
  members: readonly GroupMember[],
  directory: PartitionDirectory,
): PartitionLog[][] {
  const plan: PartitionLog[][] = members.map(() => []);
  if (members.length === 0) return plan;
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  let next = 0;
  for (const topic of topics) {
    for (const log of directory.logsOf(topic) ?? []) {
      while (!members[next % members.length]!.topics.includes(topic)) next++;
      plan[next % members.length]!.push(log);
      next++;
    }
  }
  return plan;
}

// Kafka's RangeAssignor: per topic, its partitions in contiguous ranges over the members that
// subscribe to it (in join order), so members get the same partition numbers of topics with
// equal partition counts.
function assignRange(members: readonly GroupMember[], directory: PartitionDirectory): PartitionLog[][] {
  const plan: PartitionLog[][] = members.map(() => []);
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const logs = directory.logsOf(topic) ?? [];
    const takers = members.map((_, i) => i).filter((i) => members[i]!.topics.includes(topic));
    const per = Math.floor(logs.length / takers.length);
    const extra = logs.length % takers.length;
    let next = 0;
    takers.forEach((memberIndex, rank) => {
      const count = per + (rank < extra ? 1 : 0);
      for (let k = 0; k < count; k++) plan[memberIndex]!.push(logs[next++]!);
    });
  }
  return plan;
}
