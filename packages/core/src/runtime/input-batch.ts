import type { Electron } from '../electron.js';
import type { RawRecord } from '../transport/records.js';
import type { PartitionTracker } from './commit-tracker.js';
import type { Handler } from './dispatch.js';

/**
 * One fetched batch, as parallel arrays indexed like `records`: the unit the runtime moves, so
 * no per-electron wrapper object is made.
 */
export interface InputBatch {
  readonly records: RawRecord[];
  /** The decoded electron, or undefined where decoding failed (see `errors`). */
  readonly electrons: (Electron | undefined)[];
  readonly errors: (Error | undefined)[];
  readonly handlers: Handler[];
  readonly trackers: PartitionTracker[];
  readonly seqs: number[];
}
