import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CatenaeError, ErrorCode } from '@catenae/core';
import { brokerLayout, brokerPort, KAFKA_VERSION, type BrokerLayout } from './broker-layout.js';
import { isBrokerAlive, runningBrokerPid, startBrokerProcess, stopBrokerProcess } from './broker-process.js';
import { isPortOpen, probeBroker } from './probe-broker.js';
import { resolveBrokerJars, type BrokerLogger } from './resolve-broker-jars.js';
import { LogActivity } from './log-activity.js';
import { lastLine, runCommand } from './run-command.js';
import { scramFormatArgs, type BrokerListeners } from './broker-listeners.js';
import { serverProperties } from './server-properties.js';
import { withStartLock } from './start-lock.js';

/** Where and how {@link kafkaUp} runs the broker. */
export interface KafkaUpOptions {
  /** The broker port (default `KAFKA_PORT`, else 9092); the controller takes `port + 1`. */
  port?: number;
  /** Data, logs and pid file (default `<cacheDir>/kafka-<port>`). */
  dataDir?: string;
  /** Where the broker's jars are cached (default `~/.cache/catenae`). */
  cacheDir?: string;
  logger?: BrokerLogger;
  /**
   * How long the broker may take to answer a metadata request (default 60000 ms); up to five
   * minutes more while it keeps writing its log, as one with thousands of partitions does.
   */
  timeoutMs?: number;
  /** Extra SASL and SSL listeners, for tests of secure connections (see {@link BrokerListeners}). */
  listeners?: BrokerListeners;
}

/** A broker {@link kafkaUp} started or found. */
export interface KafkaUpResult {
  /** `127.0.0.1:<port>`, for `-k`. */
  bootstrap: string;
  /** The broker's process id; undefined when another broker already served the port. */
  pid: number | undefined;
  dataDir: string;
  logFile: string;
  /** True when nothing was started: a broker already answered. */
  alreadyRunning: boolean;
}

/**
 * Starts a single-node KRaft Kafka broker on 127.0.0.1 from Apache Kafka's jars (resolved once
 * from Maven Central into the cache), detached from this process, and resolves once it answers a
 * metadata request. Idempotent: returns at once when the broker is already up.
 * @throws CatenaeError `CATENAE_BROKER` when Maven or Java fail, the port is taken by something
 * else, or the broker does not answer in time (the message names its log file); a broker that
 * failed to come up is stopped. `CATENAE_BAD_FLAG` for a bad port.
 * @publicApi
 */
export async function kafkaUp(options: KafkaUpOptions = {}): Promise<KafkaUpResult> {
  const layout = brokerLayout(brokerPort(options.port), options.dataDir, options.cacheDir);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  return withStartLock(layout.dataDir, deadline, () => bringUp(layout, deadline, options.logger, options.listeners));
}

async function bringUp(layout: BrokerLayout, deadline: number, logger: BrokerLogger | undefined, listeners: BrokerListeners | undefined): Promise<KafkaUpResult> {
  const result = (pid: number | undefined, alreadyRunning: boolean): KafkaUpResult => ({
    bootstrap: layout.bootstrap,
    pid,
    dataDir: layout.dataDir,
    logFile: layout.logFile,
    alreadyRunning,
  });
  const running = await runningBrokerPid(layout);
  if (running !== undefined) {
    // Ours: up, or still starting (another `up` started it a moment ago).
    await waitForBroker(layout, running, deadline);
    return result(running, true);
  }
  if (await isPortOpen(layout.port)) {
    if ((await probeBroker(layout.bootstrap, 5000)) === null) {
      logger?.info(`a Kafka broker not started from ${layout.dataDir} already answers at ${layout.bootstrap}`);
      return result(undefined, true);
    }
    throw new CatenaeError(ErrorCode.Broker, `port ${layout.port} is taken by something that is not a Kafka broker`);
  }
  await resolveBrokerJars(layout, logger);
  await mkdir(layout.kafkaDataDir, { recursive: true });
  await writeFile(layout.propertiesFile, serverProperties(layout.port, layout.kafkaDataDir, listeners));
  const java = javaCommand();
  await formatStorage(layout, java, logger, scramFormatArgs(listeners));
  logger?.info(`starting Kafka ${KAFKA_VERSION} on ${layout.bootstrap} (log: ${layout.logFile})`);
  const started = Date.now();
  let pid: number;
  try {
    pid = await startBrokerProcess(layout, java);
  } catch (err) {
    throw new CatenaeError(ErrorCode.Broker, `cannot start java for the Kafka broker: ${(err as Error).message}`);
  }
  try {
    await waitForBroker(layout, pid, deadline);
  } catch (err) {
    await stopBrokerProcess(layout, pid, 10_000);
    throw err;
  }
  logger?.info(`Kafka is up at ${layout.bootstrap} (pid ${pid}, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result(pid, false);
}

// Formats the KRaft storage once; a formatted data dir keeps its cluster id and topics.
async function formatStorage(layout: BrokerLayout, java: string, logger: BrokerLogger | undefined, extraArgs: string[]): Promise<void> {
  if (existsSync(join(layout.kafkaDataDir, 'meta.properties'))) return;
  logger?.info(`formatting the broker's storage in ${layout.kafkaDataDir}`);
  const classpath = ['-cp', join(layout.libsDir, '*'), 'kafka.tools.StorageTool'];
  const uuid = await runCommand(java, [...classpath, 'random-uuid']);
  const clusterId = lastLine(uuid.output);
  if (uuid.code !== 0 || !/^[A-Za-z0-9_-]{22}$/.test(clusterId)) {
    throw new CatenaeError(ErrorCode.Broker, `cannot make a Kafka cluster id with java: ${clusterId}`);
  }
  const format = await runCommand(java, [...classpath, 'format', '-t', clusterId, '-c', layout.propertiesFile, '--standalone', ...extraArgs]);
  if (format.code !== 0) {
    throw new CatenaeError(ErrorCode.Broker, `cannot format the Kafka storage in ${layout.kafkaDataDir}: ${lastLine(format.output)}`);
  }
}

/** `$JAVA_HOME/bin/java`, else `java` from the PATH. */
export function javaCommand(): string {
  return process.env['JAVA_HOME'] ? join(process.env['JAVA_HOME'], 'bin', 'java') : 'java';
}

/**
 * Waits until the broker answers a metadata request: first its port (cheap to poll), then a real
 * client request. Fails early, naming its last log line, when the process dies. A broker still
 * writing its log at `deadline` (loading thousands of partitions) gets more time; see
 * {@link LogActivity}.
 * @throws CatenaeError `CATENAE_BROKER` when it exited or did not answer in time.
 */
export async function waitForBroker(layout: BrokerLayout, pid: number, deadline: number): Promise<void> {
  let reason = 'its port is not open yet';
  const activity = new LogActivity(layout.logFile);
  while (!activity.expired(deadline)) {
    if (!isBrokerAlive(pid)) {
      throw new CatenaeError(ErrorCode.Broker, `the Kafka broker exited while starting: ${lastWords(layout)}`);
    }
    if (await isPortOpen(layout.port, 500)) {
      const failure = await probeBroker(layout.bootstrap, Math.min(5000, Math.max(2000, deadline - Date.now())));
      if (failure === null) return;
      reason = failure;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new CatenaeError(ErrorCode.Broker, `the Kafka broker at ${layout.bootstrap} did not answer in time (${reason}; its log silent for ${Math.round(activity.quietMs() / 1000)} s); see ${layout.logFile}`);
}

function lastWords(layout: BrokerLayout): string {
  for (const file of [layout.stdoutFile, layout.logFile]) {
    try {
      const text = readFileSync(file, 'utf8');
      if (text.trim() !== '') return `${lastLine(text)} (see ${file})`;
    } catch {
      // Not written yet.
    }
  }
  return `no log (see ${layout.logFile})`;
}
