import type { RawRecord, TopicPartition } from '../../transport/records.js';
import { TopicGate, byPriority } from './input-selector.js';

/** How long a level must have been readable before an empty fetch counts as "drained". */
const SETTLE_MS = 300;

/**
 * `priority`: strict. A topic is read only while every topic of higher priority is drained: the
 * lower levels stay paused until a fetch over the higher ones comes back empty, and are paused
 * again as soon as a higher one has records. Done with pause/resume, never by re-subscribing.
 */
export class PrioritySelector extends TopicGate {
  #levels: string[][] = [];
  /** The lowest level currently readable (0: only the highest). */
  #open = 0;
  #openedAt = 0;
  readonly #levelOf = new Map<string, number>();

  constructor(pause: (p: TopicPartition[]) => void, resume: (p: TopicPartition[]) => void, topics: readonly { topic: string; priority: number }[]) {
    super(pause, resume);
    this.setTopics(topics);
  }

  setTopics(topics: readonly { topic: string; priority: number }[]): void {
    const levels = new Map<number, string[]>();
    for (const { topic, priority } of byPriority(topics)) levels.set(priority, [...(levels.get(priority) ?? []), topic]);
    this.#levels = [...levels.values()];
    this.#levelOf.clear();
    this.#levels.forEach((level, i) => level.forEach((topic) => this.#levelOf.set(topic, i)));
    this.#open = 0;
    this.#openedAt = Date.now();
    this.apply();
  }

  override onAssigned(partitions: readonly TopicPartition[]): void {
    this.#openedAt = Date.now();
    super.onAssigned(partitions);
  }

  afterFetch(records: readonly RawRecord[], nowMs: number): void {
    if (records.length === 0) {
      if (this.#open < this.#levels.length - 1 && nowMs - this.#openedAt >= SETTLE_MS) {
        this.#open++;
        this.#openedAt = nowMs;
        this.apply();
      }
      return;
    }
    let highest = this.#open;
    for (let i = 0; i < records.length; i++) {
      const level = this.#levelOf.get(records[i]!.topic);
      if (level !== undefined && level < highest) highest = level;
    }
    if (highest < this.#open) {
      this.#open = highest;
      this.#openedAt = nowMs;
      this.apply();
    }
  }

  protected isOpen(topic: string): boolean {
    return (this.#levelOf.get(topic) ?? 0) <= this.#open;
  }
}
