import Kafka from 'node-rdkafka';

const CODES = Kafka.CODES.ERRORS;

/**
 * Errors after which a transaction must not be redone: the member lost its place in the group
 * (its partitions may be another member's now), or it may not write there at all.
 */
const FINAL_CODES = new Set<number>([
  CODES.ERR_ILLEGAL_GENERATION,
  CODES.ERR_UNKNOWN_MEMBER_ID,
  CODES.ERR_FENCED_INSTANCE_ID,
  CODES.ERR_TOPIC_AUTHORIZATION_FAILED,
  CODES.ERR_GROUP_AUTHORIZATION_FAILED,
]);

/** Errors saying the group no longer counts this member: its partitions are going back to the group. */
const MEMBERSHIP_CODES = new Set<number>([CODES.ERR_ILLEGAL_GENERATION, CODES.ERR_UNKNOWN_MEMBER_ID]);

/** Whether a transactional call failed because the consumer group no longer counts this member. */
export function isMembershipLost(err: unknown): boolean {
  const code = ((err as Error | undefined)?.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && MEMBERSHIP_CODES.has(code);
}

/** A transactional call of librdkafka's that did not answer within its own timeout and a grace: it may never answer. */
export class StuckCallError extends Error {
  constructor(what: string, waitedMs: number) {
    super(`librdkafka did not answer "${what}" within ${waitedMs} ms`);
    this.name = 'StuckCallError';
  }
}

/** Why the commit of a transaction failed, and what can be done about it. */
export interface TransactionFailure {
  /**
   * `stuck`: a call never answered, the producer is unusable; `abortable`: the transaction must be
   * aborted, the producer is sound; `final`: the transaction must not be redone (fenced by a newer
   * producer or by the group, not authorised, out of time, or an error nothing is known of).
   */
  kind: 'stuck' | 'abortable' | 'final';
  /** `offsets`: sending the offsets to the transaction; `commit`: committing it (it may have gone through). */
  step: 'offsets' | 'commit';
  error: Error;
}

/** Classifies what a transactional call rejected with (a `CatenaeError` whose cause is node-rdkafka's error or a {@link StuckCallError}). */
export function classifyTransactionError(err: unknown, step: TransactionFailure['step']): TransactionFailure {
  const error = err instanceof Error ? err : new Error(String(err));
  const cause = error.cause as { code?: unknown; isFatal?: boolean; isTxnRequiresAbort?: boolean } | undefined;
  if (cause instanceof StuckCallError) return { kind: 'stuck', step, error };
  if (cause === undefined || cause.isFatal === true || (typeof cause.code === 'number' && FINAL_CODES.has(cause.code))) return { kind: 'final', step, error };
  return { kind: cause.isTxnRequiresAbort === true ? 'abortable' : 'final', step, error };
}
