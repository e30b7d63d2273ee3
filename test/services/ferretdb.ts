import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { ferretDbBinary } from './ferretdb-binary.js';

/** A running FerretDB server: a MongoDB wire-protocol server on SQLite, for tests. */
export interface FerretDb {
  /** `mongodb://127.0.0.1:<port>`. */
  readonly uri: string;
  /** `127.0.0.1:<port>`, as `-m` takes it. */
  readonly address: string;
  /** The server's output. */
  readonly logFile: string;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and removes its data. Idempotent. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const LISTENING = /Listening on TCP 127\.0\.0\.1:(\d+)/;

/**
 * Builds FerretDB if needed (see {@link ferretDbBinary}) and starts it on 127.0.0.1 with a fresh
 * SQLite data directory; resolves once a MongoDB `ping` succeeds. `port` 0 (the default) takes a
 * free port. @throws Error naming the log file when the server does not answer within 30 s.
 */
export async function startFerretDb(options: { port?: number } = {}): Promise<FerretDb> {
  const binary = await ferretDbBinary();
  const dataDir = mkdtempSync(join(tmpdir(), 'catenae-ferretdb-'));
  const logFile = join(dataDir, 'ferretdb.log');
  const log = createWriteStream(logFile);
  const child = spawn(binary, [`127.0.0.1:${options.port ?? 0}`, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(err.message));
    child.once('exit', (code, signal) => resolve(`exited with ${code ?? signal}`));
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let output = '';
  const port = new Promise<number>((resolve) => {
    const scan = (chunk: Buffer) => {
      log.write(chunk);
      if (output.length < 64 * 1024) output += chunk.toString('utf8');
      const match = LISTENING.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout!.on('data', scan);
    child.stderr!.on('data', scan);
  });

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      await terminate(child, exited);
      await new Promise((resolve) => log.end(resolve));
      rmSync(dataDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    const listening = await Promise.race([port, exited.then((why) => Promise.reject(new Error(why))), timeout(deadline)]);
    const uri = `mongodb://127.0.0.1:${listening}`;
    await waitForPing(uri, deadline, exited);
    return { uri, address: `127.0.0.1:${listening}`, logFile, stop };
  } catch (err) {
    process.removeListener('exit', killOnExit);
    await terminate(child, exited);
    log.end();
    throw new Error(`FerretDB did not start: ${(err as Error).message}; see ${logFile}`);
  }
}

async function waitForPing(uri: string, deadline: number, exited: Promise<string>): Promise<void> {
  let gone: string | undefined;
  void exited.then((why) => (gone = why));
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(gone);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: Math.max(200, Math.min(2_000, deadline - Date.now())) });
    try {
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (err) {
      lastError = (err as Error).message;
    } finally {
      await client.close();
    }
  }
  throw new Error(`no answer to ping at ${uri} within ${READY_TIMEOUT_MS / 1000} s: ${lastError}`);
}

function timeout(deadline: number): Promise<never> {
  return new Promise((_, reject) => {
    setTimeout(() => reject(new Error(`not listening within ${READY_TIMEOUT_MS / 1000} s`)), deadline - Date.now()).unref();
  });
}

async function terminate(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
