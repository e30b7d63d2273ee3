import { ErrorCode, isCatenaeError } from './errors.js';

/**
 * The process exit codes of `catenae run` (and of any supervisor that wants the same rule): 0
 * only when the link did what it was asked; one code per class of failure, so an orchestrator can
 * tell a bad deployment (usage, load: restarting will not help) from a failure at run time.
 * Node's own codes (1, 3-13) and the shell's (126-127, 128 + signal) are left to them.
 * @publicApi
 */
export const ExitCode = {
  /** The link did what it was asked: stopped by a signal with nothing left in flight, its generators finished, `--consumer-timeout`. */
  Ok: 0,
  /** An error without a Catenae code: a bug, or an exception thrown outside any handler. */
  Unexpected: 1,
  /** Bad command line: unknown command or flag, malformed value (`CATENAE_BAD_FLAG`). */
  Usage: 2,
  /** A link file or a package the run needs cannot be loaded, exports no link, or declares one that cannot run. */
  Load: 20,
  /** A link's `setup()` failed (`CATENAE_SETUP`). */
  Setup: 21,
  /** Kafka cannot be reached within the connect timeout, refused an operation, or aborted a transaction (`CATENAE_BROKER`). */
  Broker: 22,
  /** A store (MongoDB, Aerospike) cannot be reached (`CATENAE_STORE`). */
  Store: 23,
  /** A handler or a generator failed and the failure policy stops the link (`--on-error exit`, a one-shot generator that threw). */
  Handler: 24,
  /** The broker did not acknowledge an output (`CATENAE_DELIVERY`): nothing past it was committed. */
  Delivery: 25,
  /** `--shutdown-timeout` passed with electrons or outputs still in flight (`CATENAE_SHUTDOWN_TIMEOUT`): they will be read again. */
  ShutdownTimeout: 26,
  /** The link stopped itself with `ctx.stop(reason)` (`CATENAE_STOPPED`). */
  Stopped: 27,
  /**
   * A table's state cannot be kept (`CATENAE_STATE`): the state directory is unusable, a shard is
   * locked by another process, a changelog does not match the inputs, a restore failed.
   */
  State: 28,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const BY_ERROR_CODE: Readonly<Record<ErrorCode, ExitCode>> = {
  [ErrorCode.BadFlag]: ExitCode.Usage,
  [ErrorCode.NoLink]: ExitCode.Load,
  [ErrorCode.MissingPackage]: ExitCode.Load,
  [ErrorCode.DuplicateLink]: ExitCode.Load,
  [ErrorCode.BadLink]: ExitCode.Load,
  [ErrorCode.Setup]: ExitCode.Setup,
  [ErrorCode.Broker]: ExitCode.Broker,
  [ErrorCode.Store]: ExitCode.Store,
  [ErrorCode.Handler]: ExitCode.Handler,
  [ErrorCode.Decode]: ExitCode.Handler,
  [ErrorCode.Encode]: ExitCode.Handler,
  [ErrorCode.NoOutput]: ExitCode.Handler,
  [ErrorCode.RpcTimeout]: ExitCode.Handler,
  [ErrorCode.RpcUnknownMethod]: ExitCode.Handler,
  [ErrorCode.RpcFailed]: ExitCode.Handler,
  [ErrorCode.Delivery]: ExitCode.Delivery,
  [ErrorCode.ShutdownTimeout]: ExitCode.ShutdownTimeout,
  [ErrorCode.Stopped]: ExitCode.Stopped,
  [ErrorCode.Closed]: ExitCode.Unexpected,
  [ErrorCode.State]: ExitCode.State,
};

/** The exit code for a failure: by its Catenae code, else {@link ExitCode.Unexpected}. */
export function exitCodeOf(err: unknown): ExitCode {
  return isCatenaeError(err) ? BY_ERROR_CODE[err.code] : ExitCode.Unexpected;
}
