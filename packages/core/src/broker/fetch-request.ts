import type { RawRecord } from '../transport/records.js';

/** Called once per fetch, with records or with an error and []. */
export type FetchDone = (err: Error | null, records: RawRecord[]) => void;

/** One call to `fetch` waiting for its reply. */
export class FetchRequest {
  /** Set once the request waits for records to arrive. */
  timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    readonly max: number,
    readonly waitMs: number,
    readonly done: FetchDone,
    /** Made after close: answered with `CATENAE_CLOSED`. */
    readonly afterClose: boolean,
  ) {}
}
