import { Worker } from 'node:worker_threads';
import { CatenaeError, ErrorCode } from '../../errors.js';
import { errorMessage } from '../failure-policy.js';
import { withDeadline } from '../with-deadline.js';
import type { Electron } from '../../electron.js';
import { fromWireError, fromWireOutputs, packBatch, toWireElectron, toWireError, transferOf, unpackBatch } from './wire-format.js';
import type { FromWorker, TaskMessage, ToWorker, WireError, WorkerEvent, WorkerInit } from './worker-messages.js';

const ENTRY = new URL('./worker-entry.js', import.meta.url);
const NO_OUTPUTS: unknown[] = [];

/** What a {@link LinkWorker} reports besides task results. */
export interface LinkWorkerHooks {
  /** A `ctx.send` the worker made outside a task, or with a delivery callback. */
  onSend(worker: LinkWorker, event: Extract<WorkerEvent, { kind: 'send' }>): void;
  onStop(reason: string | undefined): void;
  /** The thread died after its setup (its tasks are rejected already): replace it. */
  onDied(worker: LinkWorker, why: string): void;
}

interface PendingTask {
  resolve(items: unknown[]): void;
  reject(err: Error): void;
}

/**
 * One worker thread with its own instance of the link: posts it electrons (batched per turn of
 * the event loop), settles each with the outputs it reports, and rejects every electron in flight
 * with a retryable error if the thread dies. Referenced (keeps the process alive) only while it
 * starts, works or finishes.
 */
export class LinkWorker {
  readonly index: number;
  /** Settles once the worker's `setup` ran; rejects with its error, or when the thread died first. */
  readonly ready: Promise<void>;
  readonly #worker: Worker;
  readonly #hooks: LinkWorkerHooks;
  readonly #tasks = new Map<number, PendingTask>();
  #queued: TaskMessage[] = [];
  #nextTaskId = 1;
  #isPostScheduled = false;
  #isReady = false;
  #isFinishing = false;
  #hasExited = false;
  #lastError: Error | undefined;
  #settleReady!: (err?: Error) => void;
  #settleFinish: ((error: WireError | undefined) => void) | undefined;

  constructor(init: WorkerInit, hooks: LinkWorkerHooks) {
    this.index = init.workerIndex;
    this.#hooks = hooks;
    this.ready = new Promise((resolve, reject) => (this.#settleReady = (err) => (err ? reject(err) : resolve())));
    // An unobserved rejection must not crash the process: the pool reads `ready` when it needs to.
    this.ready.catch(() => undefined);
    this.#worker = new Worker(ENTRY, { workerData: init });
    this.#worker.on('message', (message: FromWorker) => this.#onMessage(message));
    this.#worker.on('error', (err) => (this.#lastError = err));
    this.#worker.on('exit', (code) => this.#onExit(code));
  }

  /** Electrons posted and not yet settled. */
  get load(): number {
    return this.#tasks.size;
  }

  get hasExited(): boolean {
    return this.#hasExited;
  }

  /** Runs the handler `method` on `electron` in this thread; resolves to its outputs. */
  run(method: string, electron: Electron): Promise<unknown[]> {
    if (this.#hasExited) return Promise.reject(this.#diedError('before it could take this electron'));
    return new Promise((resolve, reject) => {
      const id = this.#nextTaskId++;
      this.#tasks.set(id, { resolve, reject });
      this.#queued.push({ id, method, electron: toWireElectron(electron) });
      if (this.#tasks.size === 1) this.#worker.ref();
      if (!this.#isPostScheduled) {
        this.#isPostScheduled = true;
        setImmediate(this.#postQueued);
      }
    });
  }

  /** Tells the worker how the broker answered a send it asked to hear about. */
  delivered(id: number, err: Error | null): void {
    if (this.#hasExited) return;
    this.#post({ type: 'delivered', id, error: err === null ? null : toWireError(err) });
  }

  /**
   * Runs the worker's `finish` (for at most `timeoutMs`), then terminates the thread. Electrons
   * still in flight are left unsettled: they were not handled, so they are not committed.
   * Resolves with the error `finish` threw, if any.
   */
  async finish(timeoutMs: number): Promise<Error | undefined> {
    this.#isFinishing = true;
    let error: WireError | undefined;
    if (!this.#hasExited && this.#isReady) {
      this.#worker.ref();
      const finished = new Promise<void>((resolve) => {
        this.#settleFinish = (err) => {
          error = err;
          resolve();
        };
      });
      this.#postQueued();
      this.#post({ type: 'finish' });
      await withDeadline(finished, timeoutMs);
    }
    await this.#worker.terminate();
    return error === undefined ? undefined : fromWireError(error);
  }

  #post(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  readonly #postQueued = (): void => {
    this.#isPostScheduled = false;
    if (this.#queued.length === 0 || this.#hasExited) return;
    const queued = this.#queued;
    this.#queued = [];
    const tasks = packBatch(queued, this.#refuse);
    this.#worker.postMessage({ type: 'tasks', tasks } satisfies ToWorker, transferOf(tasks));
  };

  /** An electron that cannot cross to the worker fails (never retried). */
  readonly #refuse = (task: TaskMessage, err: Error): undefined => {
    const pending = this.#tasks.get(task.id);
    this.#tasks.delete(task.id);
    pending?.reject(err);
    return undefined;
  };

  #onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'events':
        for (const event of unpackBatch<WorkerEvent>(message.events)) this.#onEvent(event);
        if (this.#tasks.size === 0 && !this.#isFinishing) this.#worker.unref();
        return;
      case 'ready':
        this.#isReady = true;
        if (this.#tasks.size === 0) this.#worker.unref();
        return this.#settleReady();
      case 'setup-failed':
        return this.#settleReady(fromWireError(message.error));
      case 'finished':
        return this.#settleFinish?.(message.error);
    }
  }

  #onEvent(event: WorkerEvent): void {
    if (event.kind === 'send') return this.#hooks.onSend(this, event);
    if (event.kind === 'stop') return this.#hooks.onStop(event.reason);
    const task = this.#tasks.get(event.id);
    // Unknown: the task was rejected already (this thread was given up on).
    if (task === undefined) return;
    this.#tasks.delete(event.id);
    if (event.error !== undefined) return task.reject(fromWireError(event.error));
    task.resolve(event.outputs === undefined ? NO_OUTPUTS : fromWireOutputs(event.outputs));
  }

  #onExit(code: number): void {
    this.#hasExited = true;
    this.#settleFinish?.(undefined);
    if (this.#isFinishing) return;
    const why = this.#lastError ? errorMessage(this.#lastError) : `exit code ${code}`;
    const err = this.#diedError(`(${why}) while handling this electron`);
    const tasks = [...this.#tasks.values()];
    this.#tasks.clear();
    if (!this.#isReady) this.#settleReady(new CatenaeError(ErrorCode.BadLink, `worker thread ${this.index} exited during setup (${why})`));
    else this.#hooks.onDied(this, why);
    for (const task of tasks) task.reject(err);
  }

  /** Retryable: the failure policy runs the electron again on another thread. */
  #diedError(detail: string): CatenaeError {
    return new CatenaeError(ErrorCode.Handler, `worker thread ${this.index} died ${detail}`);
  }
}
