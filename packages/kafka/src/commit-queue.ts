import { CatenaeError, ErrorCode } from '@catenae/core';
import { RdkafkaCode, rdkafkaCode, reasonOf } from './kafka-errors.js';

interface PendingCommit {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  settled: boolean;
}

/**
 * The asynchronous commits of one consumer, oldest first. librdkafka answers them in order
 * through `offset_commit_cb`, served only while the consumer is polled; each answer settles the
 * oldest open commit. A commit with no answer in `timeoutMs` rejects but keeps its place, so a
 * late answer still lines up.
 */
export class CommitQueue {
  readonly #timeoutMs: number;
  readonly #queue: PendingCommit[] = [];
  #emptied: Array<() => void> = [];

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Commits still waiting for librdkafka's answer. */
  get size(): number {
    return this.#queue.length;
  }

  /** Registers a commit just handed to librdkafka; settles with its answer. */
  add(): Promise<void> {
    return new Promise((resolve, reject) => {
      const pending: PendingCommit = { resolve, reject, timer: undefined!, settled: false };
      pending.timer = setTimeout(() => {
        pending.settled = true;
        reject(new CatenaeError(ErrorCode.Broker, `Kafka did not answer a commit within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#queue.push(pending);
    });
  }

  /** Resolves once every commit made so far was answered, or at the deadline (epoch ms). */
  whenEmpty(deadline: number): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      this.#emptied.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** librdkafka answered the oldest commit: `err` is falsy on success. */
  settle(err: unknown): void {
    const pending = this.#queue.shift();
    if (this.#queue.length === 0) for (const resolve of this.#emptied.splice(0)) resolve();
    if (pending === undefined || pending.settled) return;
    pending.settled = true;
    clearTimeout(pending.timer);
    // Nothing left to commit (every offset was committed already) is a success.
    if (!err || rdkafkaCode(err) === RdkafkaCode.NoOffset) pending.resolve();
    else pending.reject(new CatenaeError(ErrorCode.Broker, `Kafka refused a commit: ${reasonOf(err)}`, { cause: err }));
  }

  /** Rejects every open commit: the consumer is gone. */
  failAll(error: Error): void {
    for (const pending of this.#queue.splice(0)) {
      if (pending.settled) continue;
      pending.settled = true;
      clearTimeout(pending.timer);
      pending.reject(error);
    }
  }
}
