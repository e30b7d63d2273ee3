import type { Context } from './context.js';

/** How a link ended. */
export interface LinkExit {
  /**
   * False when it stopped on an error, by `ctx.stop(reason)`, or with electrons still in flight
   * when `--shutdown-timeout` passed: the CLI exits non-zero (`exitCodeOf(error)`).
   */
  ok: boolean;
  /** Why it stopped, in one line. */
  reason: string;
  /** When `ok` is false: the failure, a `CatenaeError` whose code gives the exit code (see `ExitCode`). */
  error?: Error;
}

/**
 * A running link, as `startLink` returns it.
 * @publicApi
 */
export interface LinkHandle {
  readonly name: string;
  readonly uid: string;
  /** The consumer group it reads in (undefined for a pure source). */
  readonly consumerGroup: string | undefined;
  /** The topics it reads now. */
  readonly inputs: readonly string[];
  /** The link's instance (the object whose methods run). */
  readonly instance: object;
  readonly ctx: Context;
  /** Settles once the link stopped, for whatever reason. */
  readonly done: Promise<LinkExit>;
  /** Stops consuming, drains what is in flight, flushes, commits, calls `finish`, closes. */
  stop(reason?: string): Promise<LinkExit>;
  /** Whether nothing is in flight: no electron being handled and no output awaiting acknowledgement. */
  isIdle(): boolean;
  /** Commits what finished now, instead of at the next commit interval. */
  commitNow(): Promise<void>;
}
