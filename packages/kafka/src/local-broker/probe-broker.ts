import { connect } from 'node:net';
import Kafka from 'node-rdkafka';
import { reasonOf } from '../kafka-errors.js';

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function isPortOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Asks the broker for its metadata, as a client would: resolves with null when it answered with
 * at least one broker, else with the reason.
 */
export async function probeBroker(bootstrap: string, timeoutMs: number): Promise<string | null> {
  try {
    const metadata = await fetchMetadata(bootstrap, timeoutMs, false);
    return metadata.brokers.length > 0 ? null : 'no broker in the metadata';
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * The metadata a client gets from `bootstrap` (of every topic when `allTopics`); rejects with the
 * reason when no broker answered within `timeoutMs`.
 */
export function fetchMetadata(bootstrap: string, timeoutMs: number, allTopics: boolean): Promise<Kafka.Metadata> {
  return new Promise((resolve, reject) => {
    const client = new Kafka.Producer({ 'bootstrap.servers': bootstrap, 'client.id': 'catenae-kafka-probe' });
    let settled = false;
    const finish = (err: Error | null, metadata?: Kafka.Metadata): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const done = (): void => (err ? reject(err) : resolve(metadata!));
      try {
        client.disconnect(0, done);
      } catch {
        done();
      }
    };
    const timer = setTimeout(() => finish(new Error('no answer')), timeoutMs + 1000);
    client.connect({ timeout: timeoutMs, allTopics }, (err, metadata) => (err ? finish(new Error(reasonOf(err))) : finish(null, metadata)));
  });
}
