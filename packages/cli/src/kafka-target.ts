import { checkHostPorts } from './addresses.js';
import { importOptional } from './import-optional.js';
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
 * `--kafka-config` and `CATENAE_KAFKA_*` settings, and loads `@catenae/kafka`; `command` names the
 * command that needs it in the error when it is missing.
 * @throws CatenaeError `CATENAE_BAD_FLAG` for a malformed address or setting;
 *   `CATENAE_MISSING_PACKAGE` when `@catenae/kafka` is not installed.
 */
export async function kafkaTargetOf(command: string, parsed: ParsedFlags, env: NodeJS.ProcessEnv): Promise<KafkaTarget> {
  const given = parsed.values.kafka;
  const brokers = checkHostPorts('-k', typeof given === 'string' ? given : env.CATENAE_KAFKA || 'localhost:9092');
  const kafka = await importOptional<KafkaModule>('@catenae/kafka', `catenae ${command}`);
  const entries = parsed.values['kafka-config'];
  const config = { ...kafka.kafkaConfigFromEnv(env), ...kafka.parseKafkaConfig(Array.isArray(entries) ? entries : []) };
  return { brokers, config, kafka };
}
