import type { Electron } from '../electron.js';
import type { Logger } from 'winston';
import type { Dispatcher } from './dispatch.js';
import type { Emitter } from './emitter.js';
import { deadLetterOf, errorMessage, failureFields, fatalFailureOf, type FailurePolicy } from './failure-policy.js';
import { failedChannel } from '../diagnostics.js';
import { HandlerTimings } from './handler-timings.js';
import type { InputBatch } from './input-batch.js';

/** A lane holds the electrons waiting behind a busy key (or keyless partition): queued pairs of batch and index. */
type LaneQueue = (InputBatch | number)[];

/**
 * Runs handlers with up to `concurrency` asynchronous ones in flight while keeping per-key order
 * (per-partition order without a key). Synchronous handlers never touch the microtask queue:
 * lanes are only tracked while something asynchronous is pending.
 */
export class Scheduler {
  readonly #dispatcher: Dispatcher;
  readonly #emitter: Emitter;
  readonly #policy: FailurePolicy;
  readonly #logger: Logger;
  readonly #concurrency: number;
  readonly #onSettled: () => void;
  readonly #onFatal: (err: Error) => void;
  readonly #linkName: string;
  readonly #dropsRevoked: boolean;
  readonly #lanes = new Map<string, LaneQueue>();
  readonly #timings: HandlerTimings;
  #inFlight = 0;
  #waiting = 0;
  #backlog: InputBatch | undefined;
  #backlogIndex = 0;
  #hasStopped = false;
  /** Tasks that must not overlap a handler (RPC in the sequential modes), waiting for a gap. */
  readonly #exclusive: (() => void)[] = [];

  constructor(options: {
    dispatcher: Dispatcher;
    emitter: Emitter;
    policy: FailurePolicy;
    logger: Logger;
    concurrency: number;
    linkName: string;
    /**
     * Drop electrons of revoked partitions instead of running them (the modes that commit per
     * electron; a batch of the synchronous and exactly-once modes finishes as a whole).
     */
    dropsRevoked?: boolean;
    /** Called after asynchronous work settled: flush outputs, maybe fetch more. */
    onSettled: () => void;
    onFatal: (err: Error) => void;
  }) {
    this.#dispatcher = options.dispatcher;
    this.#emitter = options.emitter;
    this.#policy = options.policy;
    this.#logger = options.logger;
    this.#concurrency = options.concurrency;
    this.#linkName = options.linkName;
    this.#dropsRevoked = options.dropsRevoked ?? false;
    this.#timings = new HandlerTimings(options.linkName);
    this.#onSettled = options.onSettled;
    this.#onFatal = options.onFatal;
  }

  /** Electrons accepted but not finished: running, retrying, queued behind their key, or in the backlog. */
  get pending(): number {
    const backlog = this.#backlog ? this.#backlog.records.length - this.#backlogIndex : 0;
    return this.#inFlight + this.#waiting + backlog;
  }

  /** Whether another batch may be handed over now. */
  get canAccept(): boolean {
    return this.#backlog === undefined && this.#inFlight + this.#waiting < this.#concurrency * 4;
  }

  /**
   * Runs `fn` when no handler runs, holding new electrons back until it is done: RPC in the
   * sequential modes never overlaps a transform. With concurrency above 1 it runs at once.
   */
  runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#concurrency > 1) return fn();
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.#inFlight++;
        fn()
          .then(resolve, reject)
          .finally(() => {
            this.#inFlight--;
            this.#settled();
          });
      };
      if (this.#inFlight === 0 && this.#exclusive.length === 0) start();
      else this.#exclusive.push(start);
    });
  }

  /** Stops starting handlers; what runs finishes. */
  stop(): void {
    this.#hasStopped = true;
  }

  /** Starts every electron of the batch it can; the rest waits for capacity. */
  dispatch(batch: InputBatch, from = 0): void {
    const { electrons, records } = batch;
    const lanes = this.#lanes;
    // Electrons handled synchronously are timed together: one clock pair per call, not per electron.
    const startedAt = this.#timings.start();
    let doneNow = 0;
    for (let i = from; i < records.length; i++) {
      if (this.#hasStopped) return;
      if (this.#inFlight >= this.#concurrency || this.#exclusive.length > 0) {
        this.#backlog = batch;
        this.#backlogIndex = i;
        this.#timings.stopMany(startedAt, doneNow);
        return;
      }
      if (lanes.size > 0) {
        const queue = lanes.get(laneOf(electrons[i], batch, i));
        if (queue !== undefined) {
          queue.push(batch, i);
          this.#waiting++;
          continue;
        }
      }
      if (this.#run(batch, i, 0, undefined)) doneNow++;
    }
    if (this.#backlog === batch) this.#backlog = undefined;
    this.#timings.stopMany(startedAt, doneNow);
    this.#timings.flush();
  }

  /**
   * Runs one electron. Returns true when it finished synchronously (processed, dead-lettered or
   * skipped); false when it is now pending, its lane marked busy.
   */
  #run(batch: InputBatch, i: number, attempt: number, heldLane: string | undefined): boolean {
    // Its partition went to another member: that one reads it from the committed offset.
    if (this.#dropsRevoked && batch.trackers[i]!.isRevoked) return true;
    const electron = batch.electrons[i];
    if (electron === undefined) return this.#fail(batch, i, batch.errors[i], Infinity, heldLane);
    let pending: Promise<void> | undefined;
    try {
      // A retry may see a value the failed attempt changed: only a first attempt reuses bytes.
      pending = this.#dispatcher.invoke(batch.handlers[i]!, electron, attempt === 0 ? batch.records[i] : undefined);
    } catch (err) {
      return this.#fail(batch, i, err, attempt, heldLane);
    }
    if (pending === undefined) {
      this.#emitter.inputDone(batch.trackers[i]!, batch.seqs[i]!);
      return true;
    }
    // An asynchronous handler is timed on its own, from its first await to its settlement.
    const startedAt = this.#timings.start();
    const lane = this.#hold(batch, i, heldLane);
    this.#inFlight++;
    pending.then(
      () => {
        this.#inFlight--;
        this.#timings.stop(startedAt);
        this.#emitter.inputDone(batch.trackers[i]!, batch.seqs[i]!);
        this.#advance(lane);
        this.#settled();
      },
      (err: unknown) => {
        this.#inFlight--;
        this.#timings.stop(startedAt);
        if (this.#fail(batch, i, err, attempt, lane)) this.#advance(lane);
        this.#settled();
      },
    );
    return false;
  }

  /** Applies the failure policy; returns true when the electron is finished (dead-lettered or skipped). */
  #fail(batch: InputBatch, i: number, err: unknown, attempt: number, heldLane: string | undefined): boolean {
    const record = batch.records[i]!;
    const where = `${record.topic}[${record.partition}]@${record.offset}`;
    const action = this.#policy.decide(err, attempt);
    if (failedChannel.hasSubscribers) failedChannel.publish({ link: this.#linkName, topic: record.topic, action, error: err });
    if (action === 'retry') {
      const lane = this.#hold(batch, i, heldLane);
      const delayMs = this.#policy.backoffMs(attempt);
      this.#logger.warn(`electron ${where} failed (${errorMessage(err)}); retry ${attempt + 1} in ${delayMs} ms`, failureFields(record, err));
      this.#inFlight++;
      setTimeout(() => {
        this.#inFlight--;
        if (this.#hasStopped) return this.#settled();
        if (this.#run(batch, i, attempt + 1, lane)) this.#advance(lane);
        this.#settled();
      }, delayMs);
      return false;
    }
    if (action === 'stop') {
      this.#hold(batch, i, heldLane);
      this.#onFatal(fatalFailureOf(record, err));
      return false;
    }
    if (action === 'dead-letter') {
      this.#logger.error(`electron ${where} failed, sent to ${record.topic}.dlq: ${errorMessage(err)}`, failureFields(record, err));
      this.#emitter.push(deadLetterOf(record, err, this.#linkName));
    } else {
      this.#logger.warn(`electron ${where} failed and was skipped: ${errorMessage(err)}`, failureFields(record, err));
    }
    this.#emitter.inputDone(batch.trackers[i]!, batch.seqs[i]!);
    return true;
  }

  /** Marks the lane of electron i busy (if the caller does not hold it already) and returns it. */
  #hold(batch: InputBatch, i: number, heldLane: string | undefined): string {
    if (heldLane !== undefined) return heldLane;
    const lane = laneOf(batch.electrons[i], batch, i);
    if (!this.#lanes.has(lane)) this.#lanes.set(lane, []);
    return lane;
  }

  /** Runs what waits behind a lane until one goes asynchronous; frees the lane when empty. */
  #advance(lane: string): void {
    const queue = this.#lanes.get(lane)!;
    while (queue.length > 0 && !this.#hasStopped) {
      const batch = queue.shift() as InputBatch;
      const i = queue.shift() as number;
      this.#waiting--;
      if (!this.#run(batch, i, 0, lane)) return;
    }
    if (queue.length === 0) this.#lanes.delete(lane);
  }

  #settled(): void {
    if (this.#inFlight === 0) this.#timings.flush();
    if (this.#exclusive.length > 0) {
      if (this.#inFlight === 0) this.#exclusive.shift()!();
      return this.#onSettled();
    }
    const backlog = this.#backlog;
    if (backlog !== undefined && this.#inFlight < this.#concurrency) this.dispatch(backlog, this.#backlogIndex);
    this.#onSettled();
  }
}

/** The ordering lane: the key when there is one, else the source partition. */
function laneOf(electron: Electron | undefined, batch: InputBatch, i: number): string {
  if (electron !== undefined && electron.key !== null) return `k${electron.key as string}`;
  const record = batch.records[i]!;
  return `p${record.partition}:${record.topic}`;
}
