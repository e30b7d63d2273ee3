// The counting link (links/table-count.mjs) run by `catenae run -k`, and what the table
// benchmarks read from it: readiness and metrics over --metrics-port, and its restore log line.
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { committedRecords, countRecords } from '../kafka-tools.mjs';
import { catenaeProcess } from './catenae-cli.mjs';

export const COUNT_LINK = fileURLToPath(new URL('../links/table-count.mjs', import.meta.url));
const RESTORED = /restored \d+ table shard\(s\) of partitions [^:]*: (\d+) changelog record\(s\) in (\d+) ms/;

/**
 * Starts a counting link: `eos` for --eos, `stateDir` a directory or 'memory', `count` the input
 * records it tells the harness about (first and last handled). Extra `flags` go to `catenae run`.
 * BENCH_PROFILE_DIR=dir profiles every such process (node --cpu-prof), for profile-summary.mjs.
 */
export function startCatenaeCount({ brokers, input, output, group, stateDir, eos = false, count = 0, link = COUNT_LINK, logLevel = 'warn', flags = [] }) {
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR] : [];
  const args = ['run', link, '-k', brokers, '-i', input, '-o', output, '-g', group, '--state-dir', stateDir, '--log-level', logLevel, ...(eos ? ['--eos'] : []), ...flags];
  return catenaeProcess(eos ? 'catenae-count-eos' : 'catenae-count', args, { env: { BENCH_COUNT: String(count) }, nodeFlags: profile });
}

/** A TCP port nobody listens on now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once /ready answers 200 (polled every 10 ms), with the time it did. */
export async function untilReady(proc, port, timeoutMs = 120_000) {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    if (proc.exitCode !== undefined) throw new Error(`${proc.name} exited (${proc.exitCode}) before it was ready:\n${proc.stderr.slice(-15).join('\n')}`);
    if (Date.now() > deadline) throw new Error(`${proc.name} not ready within ${timeoutMs} ms:\n${proc.stderr.slice(-15).join('\n')}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ready`)).status === 200) return Date.now();
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
}

/** The sum of a metric's samples on /metrics (over its labels), or NaN. */
export async function readMetric(port, name) {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const values = text.split('\n').filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`)).map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
    return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0);
  } catch {
    return NaN;
  }
}

/** Resolves once the tables' entries (catenae_table_entries, published every few ticks) reach `entries`. */
export async function untilEntries(proc, port, entries, timeoutMs = 120_000) {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const now = await readMetric(port, 'catenae_table_entries');
    if (now >= entries) return now;
    if (proc.exitCode !== undefined || Date.now() > deadline) throw new Error(`${proc.name}: ${now} table entries, not ${entries}:\n${proc.stderr.slice(-15).join('\n')}`);
    await sleep(100);
  }
}

/**
 * Resolves once `group` has committed the whole of `topic` (every change to its tables is then in
 * the changelog: a link commits its input only once the changes it made are acknowledged).
 */
export async function untilCommitted({ brokers, group, topic, partitions, proc, timeoutMs = 120_000 }) {
  const end = await countRecords(brokers, topic, partitions);
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const committed = await committedRecords(brokers, group, topic, partitions);
    if (committed >= end) return;
    if (proc?.exitCode !== undefined || Date.now() > deadline) throw new Error(`group ${group} committed ${committed} of the ${end} records of ${topic}`);
    await sleep(200);
  }
}

/** Stops a counting link and makes sure it stopped cleanly (SIGTERM: drained, committed). */
export async function stopCleanly(proc) {
  await proc.stop(120_000);
  if (proc.exitCode !== 0) throw new Error(`${proc.name} did not stop cleanly (exit ${proc.exitCode}):\n${proc.stderr.slice(-15).join('\n')}`);
}

/**
 * Starts a counting link that has tables to restore (its group's changelog exists) and measures
 * its start: `readyMs` from spawn to /ready 200, and from its `restored ...` debug lines the
 * changelog records read and the time the restore took (`restoreMs`; summed when the restore came
 * in several assignments), and the entries its tables hold once ready, which must be `entries` if
 * given (else the restore missed part of the changelog). Resolves with the figures and the
 * process, still running.
 */
export async function startAndMeasureRestore({ entries, ...options }) {
  const port = await freePort();
  const spawnedAt = Date.now();
  const proc = startCatenaeCount({ ...options, logLevel: 'debug', flags: [...(options.flags ?? []), '--metrics-port', String(port)] });
  const lines = proc.collect(RESTORED);
  try {
    const readyAt = await untilReady(proc, port);
    await proc.until(() => lines.length > 0, 10_000, 'restore line');
    const records = lines.reduce((n, line) => n + Number(RESTORED.exec(line)[1]), 0);
    const restoreMs = lines.reduce((n, line) => n + Number(RESTORED.exec(line)[2]), 0);
    // The sizes are published as the restore ends, before /ready says so.
    let restoredEntries = await readMetric(port, 'catenae_table_entries');
    for (let tries = 0; Number.isNaN(restoredEntries) && tries < 20; tries++) {
      await sleep(100);
      restoredEntries = await readMetric(port, 'catenae_table_entries');
    }
    if (entries !== undefined && restoredEntries !== entries) throw new Error(`${proc.name}: ${restoredEntries} table entries once restored, not ${entries}`);
    return { proc, port, figures: { records, restoreMs, rate: records / (Math.max(restoreMs, 1) / 1000), readyMs: readyAt - spawnedAt, entries: restoredEntries } };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}
