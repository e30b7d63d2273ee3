import { performance } from 'node:perf_hooks';
import { handledChannel, type HandledMessage } from '../diagnostics.js';

const CAPACITY = 1024;

/**
 * Handler durations of one link, measured only while someone subscribes to the `handled`
 * channel, and published a buffer at a time (the scheduler flushes after each batch and when it
 * goes idle). Electrons a batch handles synchronously are recorded together at their mean, so a
 * batch costs two clock reads; an asynchronous handler costs two of its own.
 */
export class HandlerTimings {
  readonly #message: HandledMessage;
  readonly #durationsMs = new Float64Array(CAPACITY);
  readonly #counts = new Uint32Array(CAPACITY);
  #size = 0;

  constructor(link: string) {
    this.#message = { link, durationsMs: this.#durationsMs, counts: this.#counts };
  }

  /** The start time to hand to {@link stop} or {@link stopMany}, or -1 when nobody listens. */
  start(): number {
    return handledChannel.hasSubscribers ? performance.now() : -1;
  }

  /** Records one electron handled since `startedAt` (a value from {@link start}). */
  stop(startedAt: number): void {
    if (startedAt >= 0) this.#add(performance.now() - startedAt, 1);
  }

  /** Records `count` electrons handled one after the other since `startedAt`, each at their mean. */
  stopMany(startedAt: number, count: number): void {
    if (startedAt >= 0 && count > 0) this.#add((performance.now() - startedAt) / count, count);
  }

  /** Publishes what was measured since the last flush. */
  flush(): void {
    if (this.#size === 0) return;
    this.#message.durationsMs = this.#durationsMs.subarray(0, this.#size);
    this.#message.counts = this.#counts.subarray(0, this.#size);
    this.#size = 0;
    handledChannel.publish(this.#message);
  }

  #add(durationMs: number, count: number): void {
    this.#durationsMs[this.#size] = durationMs;
    this.#counts[this.#size++] = count;
    if (this.#size === CAPACITY) this.flush();
  }
}
