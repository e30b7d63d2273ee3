import type { RawRecord, TopicPartition } from '../../transport/records.js';
import { TopicGate, byPriority } from './input-selector.js';

/** The Python library's base: each priority step weighs 1.7 times the next. */
const BASE = 1.7;
/**
 * How long a turn's fetches must have come back empty before it moves on early: longer than a
 * resumed Kafka partition takes to deliver its first records (91 to 400 ms measured on a loaded
 * 2-core machine).
 */
const SETTLE_MS = 500;

/**
 * `exp`: the Python library's weighted time windows. One cycle lasts `windowMs`; the topics take
 * turns, highest priority first, each alone for a share of the cycle proportional to
 * 1.7^(rank from the bottom); a topic with nothing to read gives its turn up early.
 */
export class ExpSelector extends TopicGate {
  readonly #windowMs: number;
  #topics: string[] = [];
  #sharesMs: number[] = [];
  #current = 0;
  #turnStartedAt = 0;
  /** When the current turn's fetches started coming back empty (undefined: the last one had records). */
  #emptySince: number | undefined;

  constructor(pause: (p: TopicPartition[]) => void, resume: (p: TopicPartition[]) => void, topics: readonly { topic: string; priority: number }[], windowMs: number) {
    super(pause, resume);
    this.#windowMs = windowMs;
    this.setTopics(topics);
  }

  /** Each topic's share of a cycle, in milliseconds, highest priority first. */
  get sharesMs(): readonly number[] {
    return this.#sharesMs;
  }

  setTopics(topics: readonly { topic: string; priority: number }[]): void {
    this.#topics = byPriority(topics).map(({ topic }) => topic);
    const n = this.#topics.length;
    const weights = this.#topics.map((_, i) => BASE ** (n - 1 - i));
    const total = weights.reduce((a, b) => a + b, 0);
    this.#sharesMs = weights.map((w) => (w / total) * this.#windowMs);
    this.#current = 0;
    this.#turnStartedAt = Date.now();
    this.#emptySince = undefined;
    this.apply();
  }

  override onAssigned(partitions: readonly TopicPartition[]): void {
    this.#turnStartedAt = Date.now();
    this.#emptySince = undefined;
    super.onAssigned(partitions);
  }

  afterFetch(records: readonly RawRecord[], nowMs: number): void {
    if (this.#topics.length < 2) return;
    if (records.length > 0) this.#emptySince = undefined;
    else this.#emptySince ??= nowMs;
    // Idle only after empty fetches for SETTLE_MS, not SETTLE_MS after the turn began: the
    // previous turn's last batch may take that long to handle, and a resumed Kafka partition
    // answers its first fetch only after a round trip.
    const isIdle = this.#emptySince !== undefined && nowMs - this.#emptySince >= SETTLE_MS;
    if (nowMs - this.#turnStartedAt >= this.#sharesMs[this.#current]! || isIdle) {
      this.#current = (this.#current + 1) % this.#topics.length;
      this.#turnStartedAt = nowMs;
      this.#emptySince = undefined;
      this.apply();
    }
  }

  protected isOpen(topic: string): boolean {
    return this.#topics[this.#current] === topic;
  }
}
