import { CatenaeError, ErrorCode } from '@catenae/core';

const ENV_PREFIX = 'CATENAE_KAFKA_';
// Variables under the prefix that are not librdkafka settings: `CATENAE_KAFKA_CONFIG` is the
// environment form of the `--kafka-config` flag itself.
const RESERVED_ENV = new Set(['CONFIG']);
// host:port, host being a name, an IPv4 address or a bracketed IPv6 address.
const BROKER = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

/**
 * Checks a bootstrap list (`host:port[,host:port]`) and returns it without blanks.
 * @throws CatenaeError `CATENAE_BAD_FLAG` naming the malformed entry.
 */
export function validateBrokers(brokers: string): string {
  const entries = String(brokers ?? '').split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const match = BROKER.exec(entry);
    const port = match === null ? NaN : Number(match[1]);
    if (!(port >= 1 && port <= 65535)) {
      const what = entries.length > 1 ? `entry "${entry}" of Kafka bootstrap list "${brokers}"` : `Kafka bootstrap "${brokers}"`;
      throw new CatenaeError(ErrorCode.BadFlag, `${what} is not host:port (expected host:port[,host:port])`);
    }
  }
  return entries.join(',');
}

/**
 * librdkafka settings from `CATENAE_KAFKA_*` variables: the rest of the name, lower-cased, with
 * `_` read as `.` and `__` as a literal `_` (`CATENAE_KAFKA_SASL_MECHANISMS=PLAIN` gives
 * `sasl.mechanisms=PLAIN`; `CATENAE_KAFKA_ENABLE__SASL__QUEUE` gives `enable_sasl_queue`).
 * `CATENAE_KAFKA_CONFIG` is skipped: it is the `--kafka-config` flag's own variable.
 */
export function kafkaConfigFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  const config: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const rest = name.slice(ENV_PREFIX.length);
    if (rest === '' || RESERVED_ENV.has(rest)) continue;
    const key = rest.toLowerCase().split('__').map((part) => part.replaceAll('_', '.')).join('_');
    config[key] = value;
  }
  return config;
}

/**
 * librdkafka settings from `key=value` entries (the `--kafka-config` flag, repeatable). The value
 * is everything after the first `=`, so it may itself contain `=` or `,`.
 * @throws CatenaeError `CATENAE_BAD_FLAG` for an entry without `=` or with an empty key.
 */
export function parseKafkaConfig(entries: readonly string[]): Record<string, string> {
  const config: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const key = eq < 0 ? '' : entry.slice(0, eq).trim();
    if (key === '') {
      throw new CatenaeError(ErrorCode.BadFlag, `--kafka-config "${entry}" is not key=value (a librdkafka setting, e.g. linger.ms=5)`);
    }
    config[key] = entry.slice(eq + 1);
  }
  return config;
}
