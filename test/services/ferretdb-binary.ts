import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir, setPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Go module of the FerretDB test server (go.mod, go.sum, main.go), in the source tree. */
export const FERRETDB_SOURCE_DIR = fileURLToPath(new URL('../../services/ferretdb/', import.meta.url));

/** Where the built server and its build logs are kept: `$CATENAE_CACHE_DIR/ferretdb`, else `~/.cache/catenae/ferretdb`. */
export const FERRETDB_CACHE_DIR = join(process.env['CATENAE_CACHE_DIR'] ?? join(homedir(), '.cache', 'catenae'), 'ferretdb');

const SOURCE_FILES = ['go.mod', 'go.sum', 'main.go'];
/** A cold build (module download and compile) took about 70 s on a 2-core machine. */
const BUILD_TIMEOUT_MS = 15 * 60_000;

/**
 * The path of the FerretDB server binary, built with `go build` the first time and again only when
 * `go.mod`, `go.sum` or `main.go` change (the binary is named after a hash of them).
 * @throws Error naming the build log when Go is missing or the build fails.
 */
export async function ferretDbBinary(): Promise<string> {
  const hash = createHash('sha256');
  for (const name of SOURCE_FILES) hash.update(name).update('\0').update(readFileSync(join(FERRETDB_SOURCE_DIR, name)));
  const binary = join(FERRETDB_CACHE_DIR, `ferretdb-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(binary)) return binary;

  mkdirSync(FERRETDB_CACHE_DIR, { recursive: true });
  // Built under a private name, then renamed: concurrent test processes never run a half-written file.
  const partial = `${binary}.${process.pid}.partial`;
  const logFile = `${binary}.build.log`;
  const log = openSync(logFile, 'w');
  try {
    const env = { ...process.env, GOFLAGS: `${process.env['GOFLAGS'] ?? ''} -mod=mod`.trim() };
    const child = spawn('go', ['build', '-o', partial, '.'], { cwd: FERRETDB_SOURCE_DIR, env, stdio: ['ignore', log, log] });
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    const code = await new Promise<number | string>((resolve) => {
      child.once('error', (err) => resolve(err.message));
      child.once('spawn', () => lowerPriority(child.pid));
      child.once('exit', (exitCode, signal) => resolve(exitCode ?? signal ?? 'unknown'));
    });
    clearTimeout(timer);
    if (code !== 0) {
      rmSync(partial, { force: true });
      throw new Error(`building the FerretDB test server with "go build" in ${FERRETDB_SOURCE_DIR} failed (${code}); needs Go >= 1.24 and the Go module proxy; see ${logFile}`);
    }
    renameSync(partial, binary);
    removeOtherBuilds(binary);
    return binary;
  } finally {
    closeSync(log);
  }
}

// Builds of earlier sources (37 MB each) are dropped; builds in progress (".partial") are left alone.
function removeOtherBuilds(binary: string): void {
  for (const name of readdirSync(FERRETDB_CACHE_DIR)) {
    const path = join(FERRETDB_CACHE_DIR, name);
    if (/^ferretdb-[0-9a-f]{16}(\.build\.log)?$/.test(name) && path !== binary && path !== `${binary}.build.log`) rmSync(path, { force: true });
  }
}

// The machine is shared with a Kafka broker and other test runs: the build yields to them.
function lowerPriority(pid: number | undefined): void {
  try {
    if (pid !== undefined) setPriority(pid, 10);
  } catch {
    // Not permitted here: build at normal priority.
  }
}
