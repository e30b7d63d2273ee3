import { performance } from 'node:perf_hooks';
import { handledChannel, type HandledMessage } from '../diagnostics.js';

const CAPACITY = 2048;

/**
 * Handler durations of one link, measured only while someone subscribes to the `handled`
 * channel and published a buffer at a time (the scheduler flushes after each batch and when it
 * goes idle), so metrics cost two clock reads per electron and one message per batch.
 */
export class HandlerTimings {
  readonly #message: HandledMessage;
  readonly #durations = new Float64Array(CAPACITY);
  #count = 0;

  constructor(link: string) {
    this.#message = { link, durationsMs: this.#durations };
  }

  /** The start time to hand to {@link stop}, or -1 when nobody listens (nothing is measured). */
  start(): number {
    return handledChannel.hasSubscribers ? performance.now() : -1;
  }

  /** Records the duration since `startedAt` (a value from {@link start}). */
  stop(startedAt: number): void {
    if (startedAt < 0) return;
    this.#durations[this.#count++] = performance.now() - startedAt;
    if (this.#count === CAPACITY) this.flush();
  }

  /** Publishes what was measured since the last flush. */
  flush(): void {
    if (this.#count === 0) return;
    this.#message.durationsMs = this.#durations.subarray(0, this.#count);
    this.#count = 0;
    handledChannel.publish(this.#message);
  }
}
