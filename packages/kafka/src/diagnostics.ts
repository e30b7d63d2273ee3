import { channel } from 'node:diagnostics_channel';

/** What {@link kafkaClientErrorChannel} publishes. */
export interface KafkaClientErrorMessage {
  /** The `clientId` of the transport whose client reported it. */
  clientId: string;
  /** `producer`, `consumer` or `admin`. */
  client: string;
  error: Error;
}

/**
 * `catenae:kafka:client-error`: errors librdkafka reports without failing an operation (a broker
 * went away, a subscribed topic is missing); it recovers from them by itself. Subscribe to log them.
 */
export const kafkaClientErrorChannel = channel('catenae:kafka:client-error');

/** Publishes on {@link kafkaClientErrorChannel} when someone listens; builds nothing otherwise. */
export function publishClientError(clientId: string, client: string, error: unknown): void {
  if (!kafkaClientErrorChannel.hasSubscribers) return;
  const message: KafkaClientErrorMessage = {
    clientId,
    client,
    error: error instanceof Error ? error : new Error(String(error)),
  };
  kafkaClientErrorChannel.publish(message);
}
