/**
 * The closed list of error codes Catenae raises. Callers match on `code`, never on the message.
 * @publicApi
 */
export const ErrorCode = {
  /** A CLI flag, environment variable or option has a malformed or unknown value. */
  BadFlag: 'CATENAE_BAD_FLAG',
  /** A link module given to `catenae run` cannot be found, fails to load, or exports no link. */
  NoLink: 'CATENAE_NO_LINK',
  /** An optional package the run needs (`@catenae/kafka` for `-k`, `@catenae/connectors` for stores) is not installed. */
  MissingPackage: 'CATENAE_MISSING_PACKAGE',
  /** Two links share one name in one process. */
  DuplicateLink: 'CATENAE_DUPLICATE_LINK',
  /** A link class is declared in a way the runtime cannot run (no handler, bad topic, nothing to do, ...). */
  BadLink: 'CATENAE_BAD_LINK',
  /** A link's `setup()` threw or rejected. */
  Setup: 'CATENAE_SETUP',
  /** A message could not be decoded by the codec its header names. */
  Decode: 'CATENAE_DECODE',
  /** A value could not be encoded by the configured codec. */
  Encode: 'CATENAE_ENCODE',
  /** A handler emitted a value but no output topic is known for it. */
  NoOutput: 'CATENAE_NO_OUTPUT',
  /** A handler threw or rejected. */
  Handler: 'CATENAE_HANDLER',
  /** The broker did not acknowledge an output. */
  Delivery: 'CATENAE_DELIVERY',
  /** The broker cannot be reached, or refused an operation. */
  Broker: 'CATENAE_BROKER',
  /** An RPC got no reply in time. */
  RpcTimeout: 'CATENAE_RPC_TIMEOUT',
  /** An RPC named a method that is not marked `@Rpc()` or does not exist. */
  RpcUnknownMethod: 'CATENAE_RPC_UNKNOWN_METHOD',
  /** An RPC request or reply was malformed, or the remote method threw. */
  RpcFailed: 'CATENAE_RPC_FAILED',
  /** A configured store (MongoDB, Aerospike) cannot be reached or is missing. */
  Store: 'CATENAE_STORE',
  /** The link was stopped by `ctx.stop(reason)`. */
  Stopped: 'CATENAE_STOPPED',
  /** A stop's `--shutdown-timeout` passed with electrons or outputs still in flight. */
  ShutdownTimeout: 'CATENAE_SHUTDOWN_TIMEOUT',
  /** The operation is used after the link or driver was closed. */
  Closed: 'CATENAE_CLOSED',
  /**
   * A table's state cannot be kept: the state directory is unwritable, a shard is locked by another
   * process, a changelog does not match the inputs, or a table is used where it has no shard.
   */
  State: 'CATENAE_STATE',
} as const;

/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** What a {@link CatenaeError} may carry besides its `cause`. */
export interface CatenaeErrorOptions extends ErrorOptions {
  /** Structured fields naming what failed (`topic`, `partition`, `offset`, ...): JSON log lines carry them as properties. */
  details?: Readonly<Record<string, string | number>>;
}

/**
 * The error every Catenae API throws: a one-line message naming the bad input and what was
 * expected, a stable `code`, and the `cause` it wraps.
 * @publicApi
 */
export class CatenaeError extends Error {
  /** Structured fields naming what failed, if any (see {@link CatenaeErrorOptions.details}). */
  readonly details: Readonly<Record<string, string | number>> | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: CatenaeErrorOptions,
  ) {
    super(message, options);
    this.name = 'CatenaeError';
    this.details = options?.details;
  }
}

/** Whether `err` is a {@link CatenaeError}, optionally with the given code. */
export function isCatenaeError(err: unknown, code?: ErrorCode): err is CatenaeError {
  return err instanceof CatenaeError && (code === undefined || err.code === code);
}
