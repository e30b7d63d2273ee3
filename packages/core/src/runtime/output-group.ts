import type { OutgoingRecord } from '../transport/records.js';
import type { PartitionTracker } from './commit-tracker.js';

/** Called once the broker acknowledged an output, or failed to. */
export type DeliveryCallback = (err: Error | null) => void;

/**
 * Changes that ride along with the outputs (a link's table changes): appended to each group just
 * before it is produced, and told when the broker acknowledged it.
 */
export interface ChangeSource {
  readonly hasPending: boolean;
  /** Appends the pending changes' records (and marks) to the group. */
  emitTo(group: OutputGroup): void;
  /** The broker acknowledged a group carrying these marks. */
  acknowledged(marks: readonly unknown[]): void;
}

/**
 * Outputs handed to the transport in one produce call, and the inputs that finished while they
 * were collected: those inputs count as done only once this group and every earlier one is acked.
 */
export class OutputGroup {
  readonly records: OutgoingRecord[] = [];
  readonly trackers: PartitionTracker[] = [];
  readonly seqs: number[] = [];
  /** Per-send delivery callbacks (`ctx.send(..., { onDelivered })`); usually empty. */
  callbacks: DeliveryCallback[] | undefined = undefined;
  /** What the group carries for a {@link ChangeSource} (its changelog records per shard), handed back on acknowledgement. */
  marks: unknown[] | undefined = undefined;
  isAcked = false;
  error: Error | null = null;

  get isEmpty(): boolean {
    return this.records.length === 0 && this.trackers.length === 0 && this.callbacks === undefined;
  }
}
