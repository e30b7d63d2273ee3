import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CatenaeError, ErrorCode } from '@catenae/core';
import type { BrokerLayout } from './broker-layout.js';
import { lastLine, runCommand } from './run-command.js';

/** Receives progress lines of `kafkaUp` and `kafkaDown`. */
export interface BrokerLogger {
  info(message: string): void;
}

/**
 * Makes sure the broker's classpath is in `layout.libsDir`, resolving it once from Maven Central
 * with `mvn dependency:copy-dependencies` on the shipped pom. Copies into a private folder and
 * renames it into place, so a concurrent or interrupted run never leaves half a classpath.
 * @throws CatenaeError `CATENAE_BROKER` when Maven is missing or fails.
 */
export async function resolveBrokerJars(layout: BrokerLayout, logger?: BrokerLogger): Promise<void> {
  if (existsSync(layout.libsDir)) return;
  logger?.info(`resolving the Kafka broker's jars with Maven into ${layout.libsDir} (first run only)`);
  await mkdir(dirname(layout.libsDir), { recursive: true });
  const staging = `${layout.libsDir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const args = [
    '-q',
    '-B',
    '-f',
    layout.pomFile,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${staging}`,
  ];
  let result;
  try {
    result = await runCommand('mvn', args);
  } catch (err) {
    throw new CatenaeError(ErrorCode.Broker, `cannot run mvn to fetch the Kafka broker (is Maven 3.8+ installed?): ${(err as Error).message}`);
  }
  const jars = result.code === 0 && existsSync(staging) ? (await readdir(staging)).filter((f) => f.endsWith('.jar')) : [];
  if (jars.length === 0) {
    await rm(staging, { recursive: true, force: true });
    throw new CatenaeError(ErrorCode.Broker, `mvn could not fetch the Kafka broker's jars (exit ${result.code}): ${lastLine(result.output)}`);
  }
  try {
    await rename(staging, layout.libsDir);
  } catch (err) {
    // Another run put its copy in place first: keep that one.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(layout.libsDir)) throw err;
  }
}
