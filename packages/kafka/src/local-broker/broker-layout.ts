import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CatenaeError, ErrorCode } from '@catenae/core';

/** The Apache Kafka release the local broker runs (the version in `local-broker/pom.xml`). */
export const KAFKA_VERSION = '4.1.1';

// The package's `local-broker/` folder: two levels up from dist/local-broker/*.js.
const SHIPPED = fileURLToPath(new URL('../../local-broker/', import.meta.url));

/** Where one local broker keeps its files. */
export interface BrokerLayout {
  port: number;
  /** `127.0.0.1:<port>`. */
  bootstrap: string;
  dataDir: string;
  propertiesFile: string;
  pidFile: string;
  /** Kafka's `log.dirs`: the topics' data and the KRaft metadata. */
  kafkaDataDir: string;
  logDir: string;
  /** log4j2's broker log. */
  logFile: string;
  /** The JVM's own output (start-up failures land here). */
  stdoutFile: string;
  /** The resolved classpath, shared by every port. */
  libsDir: string;
  pomFile: string;
  log4jFile: string;
}

/** The paths of the broker on `port`: data in `~/.cache/catenae/kafka-<port>` unless told. */
export function brokerLayout(port: number, dataDir?: string, cacheDir?: string): BrokerLayout {
  const cache = cacheDir ?? join(homedir(), '.cache', 'catenae');
  const data = dataDir ?? join(cache, `kafka-${port}`);
  const logDir = join(data, 'logs');
  return {
    port,
    bootstrap: `127.0.0.1:${port}`,
    dataDir: data,
    propertiesFile: join(data, 'server.properties'),
    pidFile: join(data, 'kafka.pid'),
    kafkaDataDir: join(data, 'data'),
    logDir,
    logFile: join(logDir, 'server.log'),
    stdoutFile: join(logDir, 'stdout.log'),
    libsDir: join(cache, `kafka-${KAFKA_VERSION}`, 'libs'),
    pomFile: join(SHIPPED, 'pom.xml'),
    log4jFile: join(SHIPPED, 'log4j2.xml'),
  };
}

/**
 * The broker port from an option or `KAFKA_PORT` (default 9092); the controller takes the next one.
 * @throws CatenaeError `CATENAE_BAD_FLAG` when it is not an integer from 1 to 65534.
 */
export function brokerPort(port: number | undefined, env: Readonly<Record<string, string | undefined>> = process.env): number {
  const value = port ?? Number(env['KAFKA_PORT'] ?? 9092);
  if (!Number.isInteger(value) || value < 1 || value > 65534) {
    throw new CatenaeError(ErrorCode.BadFlag, `Kafka port "${port ?? env['KAFKA_PORT']}" is not an integer from 1 to 65534`);
  }
  return value;
}
