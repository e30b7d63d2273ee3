import { rm } from 'node:fs/promises';
import { brokerLayout, brokerPort } from './broker-layout.js';
import { runningBrokerPid, stopBrokerProcess } from './broker-process.js';
import type { BrokerLogger } from './resolve-broker-jars.js';

/** Which broker {@link kafkaDown} stops. */
export interface KafkaDownOptions {
  /** The broker port (default `KAFKA_PORT`, else 9092). */
  port?: number;
  /** As given to `kafkaUp` (default `<cacheDir>/kafka-<port>`). */
  dataDir?: string;
  /** As given to `kafkaUp` (default `~/.cache/catenae`). */
  cacheDir?: string;
  logger?: BrokerLogger;
  /**
   * How long a controlled shutdown may take before SIGKILL (default 30000 ms); up to five minutes
   * more while the broker keeps writing its log.
   */
  timeoutMs?: number;
  /** Also delete the data dir: topics, offsets, logs. */
  removeData?: boolean;
}

/**
 * Stops the local broker `kafkaUp` started on this port (SIGTERM, then SIGKILL after the
 * timeout) and waits for its process to go. Resolves with false when none was running.
 * @publicApi
 */
export async function kafkaDown(options: KafkaDownOptions = {}): Promise<boolean> {
  const layout = brokerLayout(brokerPort(options.port), options.dataDir, options.cacheDir);
  const pid = await runningBrokerPid(layout);
  if (pid !== undefined) {
    options.logger?.info(`stopping Kafka at ${layout.bootstrap} (pid ${pid})`);
    await stopBrokerProcess(layout, pid, options.timeoutMs ?? 30_000);
  } else {
    await rm(layout.pidFile, { force: true });
  }
  if (options.removeData === true) await rm(layout.dataDir, { recursive: true, force: true });
  return pid !== undefined;
}
