import type { RawRecord, TopicPartition } from '../../transport/records.js';

/** Decides which input topics are read at each moment, through the transport's pause/resume. */
export interface InputSelector {
  /** The group gave this member these partitions (pauses do not survive a rebalance: reapply them). */
  onAssigned(partitions: readonly TopicPartition[]): void;
  /** Called with every fetched batch, before it is handled. */
  afterFetch(records: readonly RawRecord[], nowMs: number): void;
  /** The inputs changed (`addInput`, `removeInput`): topics with their priorities. */
  setTopics(topics: readonly { topic: string; priority: number }[]): void;
}

/** `parity`: every input is read all the time; the broker's fetches share them. */
export class ParitySelector implements InputSelector {
  onAssigned(): void {}
  afterFetch(): void {}
  setTopics(): void {}
}

/** Pauses and resumes topics over the partitions this member owns. */
export abstract class TopicGate implements InputSelector {
  #assignment: readonly TopicPartition[] = [];
  readonly #pause: (partitions: TopicPartition[]) => void;
  readonly #resume: (partitions: TopicPartition[]) => void;

  constructor(pause: (partitions: TopicPartition[]) => void, resume: (partitions: TopicPartition[]) => void) {
    this.#pause = pause;
    this.#resume = resume;
  }

  onAssigned(partitions: readonly TopicPartition[]): void {
    this.#assignment = partitions;
    this.apply();
  }

  abstract afterFetch(records: readonly RawRecord[], nowMs: number): void;
  abstract setTopics(topics: readonly { topic: string; priority: number }[]): void;

  /** Whether `topic` should be read now. */
  protected abstract isOpen(topic: string): boolean;

  /** Pauses every owned partition of a closed topic and resumes those of open ones. */
  protected apply(): void {
    const paused: TopicPartition[] = [];
    const resumed: TopicPartition[] = [];
    for (const tp of this.#assignment) (this.isOpen(tp.topic) ? resumed : paused).push(tp);
    if (paused.length > 0) this.#pause(paused);
    if (resumed.length > 0) this.#resume(resumed);
  }
}

/** Topics ordered by priority, highest first; ties keep their given order. */
export function byPriority(topics: readonly { topic: string; priority: number }[]): { topic: string; priority: number }[] {
  return topics.map((t, i) => ({ ...t, i })).sort((a, b) => b.priority - a.priority || a.i - b.i).map(({ topic, priority }) => ({ topic, priority }));
}
