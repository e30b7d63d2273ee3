import type { MessagePort } from 'node:worker_threads';
import { packBatch, toWireError, transferOf } from './wire-format.js';
import type { FromWorker, WorkerEvent } from './worker-messages.js';

/** Post at least this often while a worker is busy with a run of synchronous tasks, in milliseconds. */
const MAX_HOLD_MS = 1;

/**
 * A worker's outgoing events (results, sends, stop), posted in order as one message per batch:
 * a trivial handler costs a share of a message, not one each, and a slow one still reports every
 * millisecond so the main thread keeps the other workers fed.
 */
export class WorkerOutbox {
  readonly #port: MessagePort;
  #events: WorkerEvent[] = [];
  #lastFlushAt = performance.now();
  #isFlushScheduled = false;

  constructor(port: MessagePort) {
    this.#port = port;
  }

  push(event: WorkerEvent): void {
    this.#events.push(event);
  }

  /** Posts now if events waited longer than {@link MAX_HOLD_MS}. */
  flushIfDue(): void {
    if (this.#events.length > 0 && performance.now() - this.#lastFlushAt >= MAX_HOLD_MS) this.flush();
  }

  /** Posts on the next turn of the event loop, coalescing what completes meanwhile. */
  scheduleFlush(): void {
    if (this.#isFlushScheduled) return;
    this.#isFlushScheduled = true;
    setImmediate(this.#scheduledFlush);
  }

  readonly #scheduledFlush = (): void => {
    this.#isFlushScheduled = false;
    this.flush();
  };

  flush(): void {
    this.#lastFlushAt = performance.now();
    if (this.#events.length === 0) return;
    const events = packBatch(this.#events, failIfResult);
    this.#events = [];
    const message: FromWorker = { type: 'events', events };
    this.#port.postMessage(message, transferOf(events));
  }
}

/** A result whose outputs cannot cross threads becomes that electron's failure (never retried). */
function failIfResult(event: WorkerEvent, err: Error): WorkerEvent | undefined {
  return event.kind === 'result' ? { kind: 'result', id: event.id, outputs: undefined, error: toWireError(err) } : undefined;
}
