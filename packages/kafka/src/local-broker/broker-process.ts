import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrokerLayout } from './broker-layout.js';
import { LogActivity } from './log-activity.js';

/**
 * Whether `pid` is a live local broker: on Linux its command line must name `kafka.Kafka`, so a
 * recycled pid (or a zombie) does not count.
 */
export function isBrokerAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone; EPERM: someone else's process, never ours to manage.
    return false;
  }
  const cmdline = join('/proc', String(pid), 'cmdline');
  if (!existsSync('/proc/self')) return true;
  try {
    return readFileSync(cmdline, 'utf8').includes('kafka.Kafka');
  } catch {
    return false;
  }
}

/** The pid in the layout's pid file when that process is a live broker. */
export async function runningBrokerPid(layout: BrokerLayout): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(layout.pidFile, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 && isBrokerAlive(pid) ? pid : undefined;
}

/**
 * Starts `java ... kafka.Kafka server.properties` detached from this process (it outlives it),
 * its output appended to `stdoutFile`, and writes the pid file. The heap is 1 GiB at most unless
 * told (`maxHeapMb`; it starts at a quarter of that).
 */
export async function startBrokerProcess(layout: BrokerLayout, java: string, maxHeapMb = 1024): Promise<number> {
  mkdirSync(layout.logDir, { recursive: true });
  const out = openSync(layout.stdoutFile, 'a');
  const args = [
    `-Xms${Math.round(maxHeapMb / 4)}m`,
    `-Xmx${maxHeapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    // As Kafka's own scripts do: pauses (and the time threads took to reach them) in the logs folder.
    `-Xlog:gc,safepoint:file=${join(layout.logDir, 'gc.log')}:time,uptime:filecount=2,filesize=10m`,
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${layout.logDir}`,
    `-Dlog4j2.configurationFile=${layout.log4jFile}`,
    '-cp',
    join(layout.libsDir, '*'),
    'kafka.Kafka',
    layout.propertiesFile,
  ];
  try {
    const child = spawn(java, args, { cwd: layout.dataDir, detached: true, stdio: ['ignore', out, out] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid!));
    });
    child.unref();
    await writeFile(layout.pidFile, `${pid}\n`);
    return pid;
  } finally {
    closeSync(out);
  }
}

/**
 * Stops a broker: SIGTERM (a controlled shutdown), then SIGKILL if it is still there after
 * `timeoutMs` (longer while it keeps writing its log, as one closing thousands of partitions
 * does: see {@link LogActivity}); `first: 'SIGKILL'` kills it at once (a crash). Resolves once the
 * process is gone and the pid file removed.
 */
export async function stopBrokerProcess(layout: BrokerLayout, pid: number, timeoutMs: number, first: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  signal(pid, first);
  const activity = new LogActivity(layout.logFile);
  const deadline = Date.now() + timeoutMs;
  if (!(await exited(pid, (now) => activity.expired(deadline, now)))) {
    signal(pid, 'SIGKILL');
    const killDeadline = Date.now() + 10_000;
    await exited(pid, (now) => now >= killDeadline);
  }
  await rm(layout.pidFile, { force: true });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

/** Polls until the process is gone (true) or `over(now)` says to stop waiting (false). */
async function exited(pid: number, over: (now: number) => boolean): Promise<boolean> {
  while (isBrokerAlive(pid)) {
    if (over(Date.now())) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}
