import { CatenaeError, ErrorCode } from '../errors.js';
import { importFromCwd } from './import-from-cwd.js';
import type { TransportFactory } from '../transport/transport.js';

/** Builds the Kafka transport from bootstrap servers and pass-through settings. */
export type KafkaTransportCreator = (options: { brokers: string; config?: Record<string, string> }) => TransportFactory;

let kafkaCreator: KafkaTransportCreator | undefined;

/**
 * Lets `@catenae/kafka` plug itself in (it calls this when imported), so `@catenae/core` never
 * depends on a Kafka client.
 */
export function registerKafkaTransport(creator: KafkaTransportCreator): void {
  kafkaCreator = creator;
}

/**
 * The Kafka transport factory: the registered one, else `@catenae/kafka` resolved from the
 * working directory. @throws CatenaeError `CATENAE_MISSING_PACKAGE` when the package is not installed.
 */
export async function kafkaTransport(brokers: string, config: Record<string, string> | undefined): Promise<TransportFactory> {
  if (!kafkaCreator) {
    await importFromCwd('@catenae/kafka');
  }
  if (!kafkaCreator) {
    throw new CatenaeError(ErrorCode.MissingPackage, 'running on Kafka needs @catenae/kafka, which is not installed here: add it to your project (npm install @catenae/kafka) and import it');
  }
  return kafkaCreator({ brokers, config });
}
