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
export function probeBroker(bootstrap: string, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const client = new Kafka.Producer({ 'bootstrap.servers': bootstrap, 'client.id': 'catenae-kafka-probe' });
    let settled = false;
    const finish = (reason: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        client.disconnect(0, () => resolve(reason));
      } catch {
        resolve(reason);
      }
    };
    const timer = setTimeout(finish, timeoutMs + 1000, 'no answer');
    client.connect({ timeout: timeoutMs, allTopics: false }, (err, metadata) => {
      if (err) finish(reasonOf(err));
      else finish(metadata.brokers.length > 0 ? null : 'no broker in the metadata');
    });
  });
}
