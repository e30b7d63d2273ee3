import type { LogReader, PartitionLog } from './partition-log.js';

/** A member's place in one owned partition. */
export class PartitionCursor implements LogReader {
  paused = false;
  // Set when the partition is being revoked: no more fetching, commits still allowed.
  stopped = false;

  constructor(
    readonly log: PartitionLog,
    public position: number,
    readonly wake: () => void,
  ) {}

  onAppend(): void {
    if (!this.paused && !this.stopped) this.wake();
  }
}
