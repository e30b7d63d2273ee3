import type Kafka from 'node-rdkafka';
import { reasonOf } from './kafka-errors.js';

/** A node-rdkafka client that connects like the producer and the consumer do. */
export type ConnectableClient = Kafka.Client<Kafka.KafkaClientEvents>;

/**
 * Connects a client and waits for its first metadata answer, at most `timeoutMs`. Rejects with
 * the most telling reason seen (librdkafka's own log line "Connect to ipv4#127.0.0.1:1 failed:
 * Connection refused" rather than "broker transport failure") and leaves the client disconnected.
 */
export function connectClient(client: ConnectableClient, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let firstError: unknown;
    let firstLog: string | undefined;
    let settled = false;
    const onEventError = (err: unknown): void => {
      firstError ??= err;
    };
    // librdkafka tells why a connection failed only in an error-level log line.
    const onLog = (event: { severity?: number; message?: string }): void => {
      if (firstLog === undefined && (event.severity ?? 7) <= 3 && event.message) {
        firstLog = event.message.replace(/^\[thrd:[^\]]*\]: /, '');
      }
    };
    const finish = (err: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeListener('event.error', onEventError);
      client.removeListener('event.log', onLog);
      if (err === undefined) return resolve();
      disconnectQuietly(client);
      reject(new Error(firstLog ?? reasonOf(firstError ?? err)));
    };
    // librdkafka bounds the metadata request by the same timeout; this timer is the backstop
    // should its callback never come (a starved libuv thread pool, for one).
    const timer = setTimeout(finish, timeoutMs + 1000, new Error('no answer'));
    client.on('event.error', onEventError);
    client.on('event.log', onLog);
    try {
      client.connect({ timeout: timeoutMs, allTopics: false }, (err) => finish(err ?? undefined));
    } catch (err) {
      finish(err);
    }
  });
}

/** Starts a disconnect and ignores whatever it reports: used on paths that already failed. */
export function disconnectQuietly(client: ConnectableClient): void {
  try {
    client.disconnect(() => {});
  } catch {
    // Not connected: nothing to undo.
  }
}
