import { CatenaeError, ErrorCode } from '@catenae/core';
import Kafka from 'node-rdkafka';

const CODES = Kafka.CODES.ERRORS;

/** librdkafka error codes the transport branches on. */
export const RdkafkaCode = {
  QueueFull: CODES.ERR__QUEUE_FULL,
  AssignPartitions: CODES.ERR__ASSIGN_PARTITIONS,
  RevokePartitions: CODES.ERR__REVOKE_PARTITIONS,
  NoOffset: CODES.ERR__NO_OFFSET,
  State: CODES.ERR__STATE,
  TopicAlreadyExists: CODES.ERR_TOPIC_ALREADY_EXISTS,
} as const;

/** The numeric librdkafka code of an error node-rdkafka raised, if it carries one. */
export function rdkafkaCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Whether node-rdkafka marked the error fatal: the client cannot recover from it. */
export function isFatal(err: unknown): boolean {
  return (err as { isFatal?: unknown } | null)?.isFatal === true;
}

/** The message of anything thrown, on one line. */
export function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').trim() || 'unknown error';
}

/** A `CATENAE_BROKER` error for a failed client operation, keeping the cause. */
export function brokerError(what: string, err: unknown): CatenaeError {
  return new CatenaeError(ErrorCode.Broker, `${what}: ${reasonOf(err)}`, { cause: err });
}

/** A `CATENAE_DELIVERY` error for a record the broker did not take. */
export function deliveryError(topic: string, err: unknown): CatenaeError {
  return new CatenaeError(ErrorCode.Delivery, `a record for topic "${topic}" was not delivered: ${reasonOf(err)}`, {
    cause: err,
  });
}

/** A `CATENAE_CLOSED` error for an operation after `close()`. */
export function closedError(operation: string, clientId: string): CatenaeError {
  return new CatenaeError(ErrorCode.Closed, `${operation} on Kafka client "${clientId}" after close`);
}
