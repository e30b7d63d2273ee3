// The Docker Engine test/docker runs against: the one that answers, or a dockerd started here (on a
// data root of its own, so that removing it afterwards removes every image, container, network and
// volume the run made) and stopped again. One run per machine at a time, by a lock file: the runs
// share the engine, the image names and the 2 cores.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { run } from './docker-cli.js';

/** The engine of one run. */
export interface DockerEngine {
  /** Whether this run started dockerd (and so stops it). */
  isStartedHere: boolean;
  /** The dockerd's data root when started here. */
  dataRoot: string | undefined;
  /** Stops dockerd if this run started it; removes its data root unless `keepData`. */
  stop(keepData: boolean): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 60_000;

async function isAnswering(): Promise<boolean> {
  return (await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 })).code === 0;
}

/**
 * The engine that answers `docker info`, else a dockerd started in the background on `dataRoot`
 * (wiped first unless `keepData`: a run that died leaves containers that `restart: always` would
 * start again), its log in `logFile`.
 * @throws Error naming what to install when the docker client or dockerd is missing, or when not
 * root (only root starts dockerd).
 */
export async function ensureDockerEngine(dataRoot: string, logFile: string, keepData: boolean): Promise<DockerEngine> {
  if (spawnSync('docker', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('the docker client is missing: bash scripts/setup.sh installs Debian\'s docker.io and docker-compose');
  }
  if (await isAnswering()) return { isStartedHere: false, dataRoot: undefined, stop: async () => {} };
  if (spawnSync('dockerd', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('no Docker Engine answers and dockerd is missing: bash scripts/setup.sh installs Debian\'s docker.io');
  }
  if (process.getuid?.() !== 0) throw new Error('no Docker Engine answers, and only root can start dockerd: start one, or run the test as root');

  if (!keepData) rmSync(dataRoot, { recursive: true, force: true });
  mkdirSync(dataRoot, { recursive: true });
  const log = openSync(logFile, 'a');
  // No systemd here: dockerd runs as a child of the test, starting its own containerd.
  const child = spawn('dockerd', ['--data-root', dataRoot], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `${code ?? signal}`));
  child.unref();
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await isAnswering())) {
    if (exited !== undefined || Date.now() > deadline) {
      if (exited === undefined) child.kill('SIGKILL');
      throw new Error(`dockerd did not answer within ${START_TIMEOUT_MS / 1000} s (exit ${exited ?? 'none'}): ${lastLines(logFile)}`);
    }
    await delay(500);
  }
  const pid = child.pid!;
  return {
    isStartedHere: true,
    dataRoot,
    stop: async (keep: boolean) => {
      await stopProcess(pid, () => exited !== undefined);
      if (!keep) rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}

// SIGTERM lets dockerd stop its containers and containerd and unmount its layers; SIGKILL after a minute.
async function stopProcess(pid: number, hasExited: () => boolean): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (!hasExited()) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await delay(200);
  }
}

function lastLines(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
}

/** The machine-wide lock of test/docker runs. */
export const LOCK_FILE = join(tmpdir(), 'catenae-docker-test.lock');

/**
 * Takes the machine's test/docker lock, waiting up to `timeoutMs` for another run to finish; a lock
 * whose process is gone is taken over. Returns its release.
 * @throws Error naming the holder at the deadline.
 */
export async function lockMachine(timeoutMs: number, onWait: (holder: number) => void): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  let hasSaidSo = false;
  for (;;) {
    try {
      writeFileSync(LOCK_FILE, String(process.pid), { flag: 'wx' });
      return () => rmSync(LOCK_FILE, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const text = readHolder();
    // Gone meanwhile, or created and not yet written: look again.
    if (text === undefined || text === '') {
      await delay(100);
      continue;
    }
    const holder = Number(text);
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      rmSync(LOCK_FILE, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another test/docker run (pid ${holder}) holds ${LOCK_FILE}`);
    if (!hasSaidSo) onWait(holder);
    hasSaidSo = true;
    await delay(2000);
  }
}

function readHolder(): string | undefined {
  try {
    return readFileSync(LOCK_FILE, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
