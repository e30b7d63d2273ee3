/**
 * The headers a link adds to a dead letter on `<topic>.dlq`, beside the record's own: the error,
 * its code and stack, where the record came from and which link gave up on it. `catenae dlq
 * replay` reads the source topic and partition from them and drops them all when it re-sends.
 * @publicApi
 */
export const DeadLetterHeader = {
  /** The error's message. */
  Error: 'catenae-error',
  /** The failure's code (`CATENAE_HANDLER`, `CATENAE_DECODE`, ...). */
  ErrorCode: 'catenae-error-code',
  /** The stack and its causes', cut to 4 KiB; absent when the error has none. */
  ErrorStack: 'catenae-error-stack',
  /** The topic the record was read from. */
  SourceTopic: 'catenae-source-topic',
  /** Its partition, as decimal text. */
  SourcePartition: 'catenae-source-partition',
  /** Its offset, as decimal text. */
  SourceOffset: 'catenae-source-offset',
  /** The name of the link whose handler failed. */
  Link: 'catenae-link',
} as const;

/** One of the {@link DeadLetterHeader} names. */
export type DeadLetterHeader = (typeof DeadLetterHeader)[keyof typeof DeadLetterHeader];
