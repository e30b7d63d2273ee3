import { CatenaeError, ErrorCode } from '@catenae/core';
import { checkHostPorts } from './addresses.js';
import type { CommandFlag, ParsedFlags } from './parse-flags.js';

/** The flags naming a Kafka cluster, shared by `catenae topics`, `rpc` and `dlq`. */
export const KAFKA_FLAGS: Readonly<Record<string, CommandFlag>> = {
  kafka: { type: 'string', short: 'k' },
  'kafka-config': { type: 'string', multiple: true },
};

/** Help lines of {@link KAFKA_FLAGS}. */
export const KAFKA_FLAGS_HELP = `  -k, --kafka host:port[,host:port]  the cluster (default $CATENAE_KAFKA, else localhost:9092)
  --kafka-config key=value           a librdkafka setting, repeatable (also CATENAE_KAFKA_<KEY>)`;

/** The `@catenae/kafka` module, loaded on demand: only commands that reach Kafka need it. */
export type KafkaModule = typeof import('@catenae/kafka');

/** Where a command reaches Kafka, and the module that does. */
export interface KafkaTarget {
  readonly brokers: string;
  readonly config: Record<string, string>;
  readonly kafka: KafkaModule;
}

/**
 * Resolves `-k` (else `CATENAE_KAFKA`, else `localhost:9092`, where `catenae kafka up` listens),
 * `--kafka-config` and `CATENAE_KAFKA_*` settings, and loads `@catenae/kafka`.
 * @throws CatenaeError `CATENAE_BAD_FLAG` for a malformed address or setting; `CATENAE_BROKER`
 *   when `@catenae/kafka` is not installed.
 */
export async function kafkaTargetOf(parsed: ParsedFlags, env: NodeJS.ProcessEnv): Promise<KafkaTarget> {
  const given = parsed.values.kafka;
  const brokers = checkHostPorts('-k', typeof given === 'string' ? given : env.CATENAE_KAFKA || 'localhost:9092');
  const kafka = await importKafka();
  const entries = parsed.values['kafka-config'];
  const config = { ...kafka.kafkaConfigFromEnv(env), ...kafka.parseKafkaConfig(Array.isArray(entries) ? entries : []) };
  return { brokers, config, kafka };
}

async function importKafka(): Promise<KafkaModule> {
  try {
    return await import('@catenae/kafka');
  } catch (err) {
    throw new CatenaeError(ErrorCode.Broker, `this command reaches Kafka through @catenae/kafka: install it (npm install @catenae/kafka); ${(err as Error).message.split('\n')[0]}`);
  }
}
