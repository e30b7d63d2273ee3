import type { Logger } from 'winston';
import { CatenaeError, isCatenaeError, ErrorCode } from '../errors.js';
import type { Context } from './context.js';
import type { Dispatcher } from './dispatch.js';
import { handlerKind } from './dispatch.js';
import type { Emitter } from './emitter.js';
import { errorFields } from './error-fields.js';
import { errorMessage } from './failure-policy.js';
import { systemClock, type Clock } from './clock.js';

/** Yield to the event loop after this many items of a synchronous generator, so acks can arrive. */
const ITEMS_PER_TURN = 1000;

/**
 * Runs a link's sources: `@Generator` methods (once, or every `interval` ms) and `ctx.loop` tasks,
 * between `setup` and `finish`. A source that throws is logged at error level and reported, never
 * lost silently: a one-shot generator's failure as fatal (it cannot be retried, skipped or
 * dead-lettered: the link did not do what it was asked), a periodic run's as one the next run may mend.
 */
export class SourceRunner {
  readonly #ctx: Context;
  readonly #dispatcher: Dispatcher;
  readonly #emitter: Emitter;
  readonly #logger: Logger;
  readonly #onError: (err: CatenaeError, isFatal: boolean) => void;
  readonly #maxUnackedRecords: number;
  readonly #running = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #hasStarted = false;
  /** One-shot generators registered and not finished: a driver's drain waits for them. */
  #oneShotsLeft = 0;
  readonly #queued: (() => Promise<void>)[] = [];
  readonly #clock: Clock;

  /** @param parts.onError gets each failure as `CATENAE_HANDLER`; `isFatal` for a one-shot generator. */
  constructor(parts: { ctx: Context; dispatcher: Dispatcher; emitter: Emitter; logger: Logger; maxUnackedRecords: number; onError: (err: CatenaeError, isFatal: boolean) => void; clock?: Clock }) {
    this.#clock = parts.clock ?? systemClock;
    this.#ctx = parts.ctx;
    this.#dispatcher = parts.dispatcher;
    this.#emitter = parts.emitter;
    this.#logger = parts.logger;
    this.#maxUnackedRecords = parts.maxUnackedRecords;
    this.#onError = parts.onError;
  }

  get isStopping(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Registers a generator method of the link instance. */
  addGenerator(instance: object, method: string, intervalMs: number | undefined): void {
    const fn = (instance as Record<string, Function>)[method]!;
    const kind = handlerKind(fn);
    const once = () => (kind === 'plain' ? this.#callPlain(fn, instance) : this.#drain(fn.call(instance, this.#ctx), kind === 'async-generator'));
    const name = `generator ${method}()`;
    if (intervalMs !== undefined) return this.#add(() => this.#repeat(once, intervalMs, name), name);
    this.#oneShotsLeft++;
    this.#add(() => once().finally(() => this.#oneShotsLeft--), name);
  }

  /** Whether any generator or loop is registered and not finished. */
  get hasSources(): boolean {
    return this.#queued.length > 0 || this.#running.size > 0;
  }

  /** Whether a one-shot generator is still running (or waits for `start`). */
  get hasOneShotsRunning(): boolean {
    return this.#oneShotsLeft > 0;
  }

  /** Registers a periodic task (`ctx.loop`). */
  addLoop(fn: (ctx: Context) => unknown, intervalMs: number): void {
    const name = `loop ${fn.name || 'task'}`;
    this.#add(() => this.#repeat(() => this.#callPlain(fn, undefined), intervalMs, name), name);
  }

  /** Starts the sources registered so far; later ones start at once. */
  start(): void {
    this.#hasStarted = true;
    for (const run of this.#queued.splice(0)) this.#track(run);
  }

  /** Stops every source and waits (bounded by the caller) for them to end. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled([...this.#running]);
  }

  /** Resolves once every source ended by itself (one-shot generators done). */
  async whenDone(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #add(run: () => Promise<void>, name: string): void {
    const guarded = async () => {
      try {
        await run();
      } catch (err) {
        this.#report(name, err, true);
      }
    };
    if (this.#hasStarted) this.#track(guarded);
    else this.#queued.push(guarded);
  }

  #track(run: () => Promise<void>): void {
    const running = run().finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  async #callPlain(fn: Function, self: unknown): Promise<void> {
    const result = await fn.call(self, this.#ctx);
    if (result !== undefined) this.#dispatcher.emit(result, undefined);
    this.#emitter.scheduleFlush();
  }

  /** Runs `once` every `intervalMs` until stopped; a failing run is reported and the next one still comes. */
  async #repeat(once: () => Promise<void>, intervalMs: number, name: string): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        await once();
      } catch (err) {
        this.#report(name, err, false);
      }
      await this.#clock.sleep(intervalMs, signal);
    }
  }

  /** Logs a source's failure and reports it (the link stops on a fatal one, or on any with `--on-error exit`). */
  #report(name: string, err: unknown, isFatal: boolean): void {
    if (this.isStopping && isCatenaeError(err, ErrorCode.Closed)) return;
    const failure = new CatenaeError(ErrorCode.Handler, `${name} failed: ${errorMessage(err)}`, { cause: err });
    this.#logger.error(failure.message, errorFields(err, ErrorCode.Handler));
    this.#onError(failure, isFatal);
  }

  async #drain(items: Iterable<unknown> | AsyncIterable<unknown>, isAsync: boolean): Promise<void> {
    if (isAsync) {
      let count = 0;
      for await (const item of items as AsyncIterable<unknown>) {
        if (this.isStopping) return;
        if (item !== undefined) {
          this.#dispatcher.emit(item, undefined);
          // A slow async source must not wait for a thousand items before its outputs go out.
          this.#emitter.scheduleFlush();
        }
        if (++count % ITEMS_PER_TURN === 0) await this.#backpressure();
      }
    } else {
      // A synchronous generator is read in slices, with no promise per item.
      const iterator = (items as Iterable<unknown>)[Symbol.iterator]();
      for (;;) {
        for (let n = 0; n < ITEMS_PER_TURN; n++) {
          const next = iterator.next();
          if (next.done) return this.#emitter.flush();
          if (next.value !== undefined) this.#dispatcher.emit(next.value, undefined);
        }
        if (this.isStopping) return;
        await this.#backpressure();
      }
    }
    this.#emitter.flush();
  }

  /** Flushes, lets the event loop turn, then waits while too many outputs are unacknowledged. */
  async #backpressure(): Promise<void> {
    this.#emitter.flush();
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#emitter.unackedRecords > this.#maxUnackedRecords && !this.isStopping) await this.#emitter.nextRelease();
  }
}
