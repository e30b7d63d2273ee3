import { CatenaeError, ErrorCode } from '../errors.js';
import type { OutgoingRecord } from '../transport/records.js';
import type { Transport } from '../transport/transport.js';
import type { PartitionTracker } from './commit-tracker.js';
import { OutputGroup, type ChangeSource, type DeliveryCallback } from './output-group.js';
import { producedChannel } from '../diagnostics.js';

/** Flush early when a group grows past this many records (a generator in a tight loop). */
const MAX_GROUP_RECORDS = 5000;
/** Drop released groups from the front of the unacked queue once this many have gathered. */
const COMPACT_MIN_GROUPS = 256;
/** Carry the table changes out early when this many finished inputs wait for them. */
const MAX_DEFERRED_INPUTS = 50_000;

/**
 * Collects outputs into groups, produces each group with one transport call, and releases the
 * inputs of a group to the commit trackers only once it and all earlier groups are acknowledged,
 * so no input is committed before what it emitted is safe on the broker.
 */
export class Emitter {
  readonly #transport: Transport;
  readonly #onFatal: (err: Error) => void;
  readonly #onProgress: () => void;
  readonly #linkName: string;
  #current = new OutputGroup();
  /** Groups from `#unackedHead` on wait for their acknowledgement; the slots before it are released. */
  #unacked: (OutputGroup | undefined)[] = [];
  #unackedHead = 0;
  #isReleasing = false;
  #isReleaseAsked = false;
  #unackedRecords = 0;
  #isFlushScheduled = false;
  /** Set after a failed delivery: from then on no input is released for commit. */
  #hasFailed = false;
  #idleWaiters: (() => void)[] = [];
  #releaseWaiters: (() => void)[] = [];
  #changes: ChangeSource | undefined;
  /** Inputs finished while table changes were pending: released with the group that carries those changes. */
  #deferredTrackers: PartitionTracker[] = [];
  #deferredSeqs: number[] = [];
  /**
   * Table changes cut but not produced yet: each waits until every group produced before its cut
   * is acknowledged, so a change on the broker implies the outputs of the electrons before it are.
   */
  readonly #held: { group: OutputGroup; after: number }[] = [];
  /** Groups handed to the transport, and released (acknowledged in order), so far. */
  #pushedCount = 0;
  #releasedCount = 0;

  /**
   * @param onProgress called after acknowledged groups released their inputs.
   * @param onFatal called once a delivery failed: the link must stop without committing past it.
   * @param linkName names the link in diagnostics messages.
   */
  constructor(transport: Transport, onProgress: () => void, onFatal: (err: Error) => void, linkName = '') {
    this.#transport = transport;
    this.#onProgress = onProgress;
    this.#onFatal = onFatal;
    this.#linkName = linkName;
  }

  /** Lets `changes` add their records to every group flushed from now on (a link's tables). */
  carry(changes: ChangeSource): void {
    this.#changes = changes;
  }

  /** Queues one output. */
  push(record: OutgoingRecord): void {
    const records = this.#current.records;
    records.push(record);
    if (records.length >= MAX_GROUP_RECORDS) this.flush();
  }

  /** Queues one output and calls `callback` once the broker acknowledged it. */
  pushWithCallback(record: OutgoingRecord, callback: DeliveryCallback): void {
    (this.#current.callbacks ??= []).push(callback);
    this.#current.records.push(record);
    this.scheduleFlush();
  }

  /**
   * Marks an input finished: it becomes committable once the outputs queued so far are acked,
   * and, while table changes are pending, the group carrying them too.
   */
  inputDone(tracker: PartitionTracker, seq: number): void {
    const changes = this.#changes;
    if (changes !== undefined) {
      // Which inputs are handled is what a cut of table changes records.
      tracker.markHandled(seq);
      if (changes.hasPending) {
        this.#deferredTrackers.push(tracker);
        this.#deferredSeqs.push(seq);
        return;
      }
    }
    this.#current.trackers.push(tracker);
    this.#current.seqs.push(seq);
  }

  /** Records produced but not acknowledged yet: the consume loop's back-pressure signal. */
  get unackedRecords(): number {
    return this.#unackedRecords;
  }

  /** Whether nothing is queued or waiting for an acknowledgement, table changes included. */
  get isIdle(): boolean {
    return this.isQuiet && this.#changes?.hasPending !== true && this.#deferredSeqs.length === 0 && this.#held.length === 0;
  }

  /** Whether no output is queued or waiting for an acknowledgement (table changes may be pending). */
  get isQuiet(): boolean {
    return this.#current.isEmpty && this.#unackedHead === this.#unacked.length;
  }

  /** Flushes on the next turn of the event loop, coalescing the sends of one turn. */
  scheduleFlush(): void {
    if (this.#isFlushScheduled) return;
    this.#isFlushScheduled = true;
    setImmediate(this.#scheduledFlush);
  }

  readonly #scheduledFlush = (): void => {
    this.#isFlushScheduled = false;
    this.flush();
  };

  /**
   * Hands the current group to the transport. Table changes wait for {@link flushAll} (they are
   * coalesced per key until then), unless many inputs wait for them.
   */
  flush(): void {
    this.#produceCurrent();
    if (this.#deferredSeqs.length >= MAX_DEFERRED_INPUTS) this.flushAll();
  }

  #produceCurrent(): void {
    const group = this.#current;
    if (group.isEmpty) return;
    this.#current = new OutputGroup();
    this.#produce(group);
  }

  /**
   * Hands the current group to the transport, then cuts the pending table changes into a group of
   * their own (their values now, with the inputs that made them), produced once every group before
   * it is acknowledged.
   */
  flushAll(): void {
    // Not flush(): with too many inputs deferred it would come back here before they are carried.
    this.#produceCurrent();
    if (this.#changes?.hasPending !== true && this.#deferredSeqs.length === 0) return;
    const changes = new OutputGroup();
    this.#carryChanges(changes);
    this.#held.push({ group: changes, after: this.#pushedCount });
    this.#produceHeld();
  }

  #produce(group: OutputGroup): void {
    this.#unacked.push(group);
    this.#pushedCount++;
    if (group.records.length === 0) {
      group.isAcked = true;
      this.#release();
      return;
    }
    this.#unackedRecords += group.records.length;
    this.#transport.produce(group.records, (err) => this.#acked(group, err));
  }

  #produceHeld(): void {
    const held = this.#held;
    while (held.length > 0 && this.#releasedCount >= held[0]!.after) this.#produce(held.shift()!.group);
  }

  #carryChanges(group: OutputGroup): void {
    try {
      this.#changes!.emitTo(group);
    } catch (err) {
      // A value changed after its handler returned, into one its table cannot encode.
      this.#hasFailed = true;
      this.#onFatal(err as Error);
    }
    const trackers = this.#deferredTrackers;
    const seqs = this.#deferredSeqs;
    for (let i = 0; i < seqs.length; i++) {
      group.trackers.push(trackers[i]!);
      group.seqs.push(seqs[i]!);
    }
    trackers.length = 0;
    seqs.length = 0;
  }

  /** Resolves once everything queued so far is acknowledged (or failed). */
  whenIdle(): Promise<void> {
    this.flushAll();
    if (this.isIdle) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Resolves at the next acknowledgement the emitter processes. */
  nextRelease(): Promise<void> {
    return new Promise((resolve) => this.#releaseWaiters.push(resolve));
  }

  #acked(group: OutputGroup, err: Error | null): void {
    this.#unackedRecords -= group.records.length;
    if (producedChannel.hasSubscribers) producedChannel.publish({ link: this.#linkName, records: group.records, error: err });
    group.isAcked = true;
    group.error = err;
    this.#release();
  }

  /**
   * Releases the acknowledged groups at the head of the queue, in order. Not reentrant: what it
   * calls (delivery callbacks, table acknowledgements, held change groups produced, progress) may
   * ack an empty group and ask for a release again; that release runs after this one, never
   * inside it, where it would see the queue's head before this pass moved it.
   */
  #release(): void {
    if (this.#isReleasing) {
      this.#isReleaseAsked = true;
      return;
    }
    this.#isReleasing = true;
    try {
      do {
        this.#isReleaseAsked = false;
        this.#releaseAcknowledged();
      } while (this.#isReleaseAsked);
    } finally {
      this.#isReleasing = false;
    }
  }

  #releaseAcknowledged(): void {
    const unacked = this.#unacked;
    let head = this.#unackedHead;
    while (head < unacked.length && unacked[head]!.isAcked) {
      const group = unacked[head]!;
      // A busy link always has a group in flight, so the queue never empties: a released group
      // must not stay referenced (its records and their buffers), or every output of a long
      // drain reaches the old generation (~1 µs per electron of GC, see native-bench/RESULTS.md).
      unacked[head++] = undefined;
      this.#releasedCount++;
      if (group.callbacks) for (const callback of group.callbacks) callback(group.error);
      if (group.error && !this.#hasFailed) {
        // Nothing of this group or after it may be committed: stop, so a restart replays it.
        this.#hasFailed = true;
        const message = `the broker did not acknowledge an output: ${group.error.message}`;
        this.#onFatal(new CatenaeError(ErrorCode.Delivery, message, { cause: group.error }));
      }
      if (this.#hasFailed) continue;
      if (group.marks !== undefined) this.#changes!.acknowledged(group.marks);
      const { trackers, seqs } = group;
      for (let i = 0; i < trackers.length; i++) trackers[i]!.markDone(seqs[i]!);
    }
    if (head === unacked.length) {
      unacked.length = 0;
      head = 0;
    } else if (head >= COMPACT_MIN_GROUPS && head * 2 >= unacked.length) {
      this.#unacked = unacked.slice(head);
      head = 0;
    }
    this.#unackedHead = head;
    if (this.#held.length > 0) this.#produceHeld();
    this.#onProgress();
    if (this.#releaseWaiters.length > 0) {
      const waiters = this.#releaseWaiters;
      this.#releaseWaiters = [];
      for (const resolve of waiters) resolve();
    }
    if (this.isIdle && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
