import type { Logger } from 'winston';
import type { ElectronCodec } from '../codec/electron-codec.js';
import type { Electron } from '../electron.js';
import type { RawRecord } from '../transport/records.js';
import type { Transport } from '../transport/transport.js';
import type { CommitTracker } from './commit-tracker.js';
import type { Handler } from './dispatch.js';
import type { Emitter } from './emitter.js';
import type { InputBatch } from './input-batch.js';
import type { Scheduler } from './scheduler.js';
import type { InputSelector } from './input-modes/input-selector.js';
import { consumedChannel } from '../diagnostics.js';
import { refreshTracing } from '../tracing/tracing-state.js';
import { errorFields } from './error-fields.js';

/** Tuning of the consume loop. */
export interface ConsumeLoopOptions {
  /** Records asked for per fetch. */
  maxBatch: number;
  /** How long one fetch waits for a first record, in milliseconds. */
  fetchWaitMs: number;
  /** Stop fetching while more produced records than this wait for acknowledgement. */
  maxUnackedRecords: number;
  /** Called once no record arrived for this long (the `--consumer-timeout`). */
  consumerTimeoutMs: number | undefined;
  onConsumerTimeout: () => void;
  /**
   * The synchronous and exactly-once modes: runs `handle` (which dispatches the batch) and settles
   * once the batch is handled, acknowledged and committed (in a transaction for exactly-once); no
   * other fetch is made meanwhile. Never rejects.
   */
  aroundBatch?: (records: RawRecord[], handle: () => void) => Promise<void>;
  /**
   * Called when a fetch brought nothing (windows' idle closes). A promise holds the next fetch
   * back until it settles (a transaction). Never rejects.
   */
  onIdle?: () => Promise<void> | undefined;
}

/**
 * Fetches batches, decodes them and hands them to the scheduler, one fetch outstanding at a time,
 * pausing while the scheduler or the producer is full (bounded memory). The next fetch is issued
 * while outputs of the previous batch are still being acknowledged.
 */
export class ConsumeLoop {
  readonly #transport: Transport;
  readonly #codec: ElectronCodec;
  readonly #tracker: CommitTracker;
  readonly #scheduler: Scheduler;
  readonly #emitter: Emitter;
  readonly #logger: Logger;
  readonly #options: ConsumeLoopOptions;
  readonly #selector: InputSelector;
  readonly #linkName: string;
  #handlers: Map<string, Handler>;
  #isFetching = false;
  #isRunning = false;
  #lastRecordAt = Date.now();
  #stopWaiters: (() => void)[] = [];
  #errorBackoffMs = 0;

  constructor(
    parts: { transport: Transport; codec: ElectronCodec; tracker: CommitTracker; scheduler: Scheduler; emitter: Emitter; logger: Logger; selector: InputSelector; linkName: string },
    handlers: Map<string, Handler>,
    options: ConsumeLoopOptions,
  ) {
    this.#transport = parts.transport;
    this.#codec = parts.codec;
    this.#tracker = parts.tracker;
    this.#scheduler = parts.scheduler;
    this.#emitter = parts.emitter;
    this.#logger = parts.logger;
    this.#selector = parts.selector;
    this.#linkName = parts.linkName;
    this.#handlers = handlers;
    this.#options = options;
  }

  /** Replaces the topic → handler routing (inputs added or removed at run time). */
  setHandlers(handlers: Map<string, Handler>): void {
    this.#handlers = handlers;
  }

  start(): void {
    this.#isRunning = true;
    this.#lastRecordAt = Date.now();
    this.wake();
  }

  /** Fetches again if the loop is idle and there is room. */
  wake(): void {
    if (!this.#isRunning || this.#isFetching) return;
    if (!this.#scheduler.canAccept || this.#emitter.unackedRecords > this.#options.maxUnackedRecords) return;
    this.#isFetching = true;
    this.#transport.fetch(this.#options.maxBatch, this.#options.fetchWaitMs, this.#onRecords);
  }

  /**
   * Within `aroundBatch` (whose fetch is still outstanding for the loop): fetches once more, up to
   * `maxBatch` records waiting up to `waitMs` for a first one, and hands what came to the
   * scheduler as any batch. Resolves with those records: none when nothing came, the fetch failed
   * (the loop's next fetch reports it) or the loop is stopping.
   */
  fetchMore(maxBatch: number, waitMs: number): Promise<RawRecord[]> {
    if (!this.#isRunning) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.#transport.fetch(maxBatch, waitMs, (err, records) => {
        if (err !== null) return resolve([]);
        const now = Date.now();
        this.#selector.afterFetch(records, now);
        if (records.length > 0) {
          this.#lastRecordAt = now;
          this.#handle(records);
        }
        resolve(records);
      });
    });
  }

  /** Stops fetching; resolves once no fetch is outstanding. */
  stop(): Promise<void> {
    this.#isRunning = false;
    if (!this.#isFetching) return Promise.resolve();
    return new Promise((resolve) => this.#stopWaiters.push(resolve));
  }

  readonly #onRecords = (err: Error | null, records: RawRecord[]): void => {
    this.#isFetching = false;
    if (err) {
      this.#errorBackoffMs = Math.min(Math.max(this.#errorBackoffMs * 2, 100), 5000);
      this.#logger.warn(`fetch failed, retrying in ${this.#errorBackoffMs} ms: ${err.message}`, errorFields(err));
      setTimeout(() => this.wake(), this.#errorBackoffMs);
      return this.#settleStop();
    }
    this.#errorBackoffMs = 0;
    const now = Date.now();
    this.#selector.afterFetch(records, now);
    const aroundBatch = this.#options.aroundBatch;
    if (records.length > 0 && aroundBatch !== undefined) {
      this.#lastRecordAt = now;
      this.#isFetching = true;
      void aroundBatch(records, () => this.#handle(records)).then(() => {
        this.#isFetching = false;
        this.#settleStop();
        this.wake();
      });
      return;
    }
    if (records.length > 0) {
      this.#lastRecordAt = now;
      this.#handle(records);
    } else {
      const idle = this.#options.onIdle?.();
      if (idle !== undefined) {
        this.#isFetching = true;
        void idle.then(() => {
          this.#isFetching = false;
          this.#emitter.flushAll();
          this.#settleStop();
          this.wake();
        });
        return;
      }
      // Nothing came: pending table changes go out now rather than at the next commit tick.
      this.#emitter.flushAll();
      if (this.#options.consumerTimeoutMs !== undefined && now - this.#lastRecordAt >= this.#options.consumerTimeoutMs) {
        this.#isRunning = false;
        this.#options.onConsumerTimeout();
      }
    }
    this.#settleStop();
    this.wake();
  };

  #handle(records: RawRecord[]): void {
    refreshTracing();
    if (consumedChannel.hasSubscribers) consumedChannel.publish({ link: this.#linkName, records });
    this.#scheduler.dispatch(this.#batchOf(records));
    this.#emitter.flush();
  }

  #settleStop(): void {
    if (this.#isRunning || this.#stopWaiters.length === 0) return;
    const waiters = this.#stopWaiters;
    this.#stopWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #batchOf(records: RawRecord[]): InputBatch {
    const n = records.length;
    const electrons = new Array<Electron | undefined>(n);
    const errors = new Array<Error | undefined>(n);
    const handlers = new Array<Handler>(n);
    const trackers = new Array(n);
    const seqs = new Array<number>(n);
    const codec = this.#codec;
    let lastTopic = '';
    let handler: Handler | undefined;
    for (let i = 0; i < n; i++) {
      const record = records[i]!;
      if (record.topic !== lastTopic) {
        lastTopic = record.topic;
        handler = this.#handlers.get(lastTopic);
      }
      const tracker = this.#tracker.trackerFor(record.topic, record.partition);
      trackers[i] = tracker;
      seqs[i] = tracker.register(record.offset);
      handlers[i] = handler!;
      try {
        electrons[i] = codec.decode(record);
      } catch (decodeError) {
        errors[i] = decodeError as Error;
      }
    }
    return { records, electrons, errors, handlers, trackers, seqs };
  }
}
