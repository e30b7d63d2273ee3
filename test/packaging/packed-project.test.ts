// From `npm install` to a running topology, outside the workspace, as a user would: the packages
// packed with `pnpm -r pack`, a project made by the packed CLI (`npx catenae new`), installed by
// plain npm, tested, compiled against the published types, and run with `npx catenae run` on the
// embedded broker and on Kafka. npm's downloads are cached in ~/.cache/catenae/npm for the next run.
//
// One project, installed in two steps, so that librdkafka is never compiled here by default:
// 1. `npm install --omit=optional`: what a user without a C++ toolchain gets. Nothing compiles;
//    npm test (TestDriver), the published types, --version and the embedded run work, and -k says
//    in one line that @catenae/kafka is missing.
// 2. `npm install --ignore-scripts` then adds @catenae/kafka and node-rdkafka exactly as npm
//    resolves them from the packed manifests, without node-rdkafka's install script (node-gyp
//    compiling librdkafka: 2-7 minutes on 2 shared cores). Its addon is copied in from the
//    workspace's node-rdkafka of the same version, which this repository's `pnpm install` built
//    with that very script on this machine (and which every other Kafka test runs on). Then each
//    link runs in its own `npx catenae run -k` process on Kafka.
// What step 2 proves: the packed @catenae/kafka installs with npm into a user's project, the CLI
// finds it there, and the topology runs on Kafka through it. What it does not: that node-gyp can
// compile node-rdkafka in a fresh npm install. That is node-rdkafka's own build, run by
// `pnpm install` here; CATENAE_PACKED_COMPILE=1 makes step 2 a plain `npm install` that compiles
// it (and prints how long it took, the figure the README's install section gives).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { KAFKA, uniqueTopic } from '../support/catenae-process.js';
import { packWorkspace, ROOT } from './pack-workspace.js';

const NPM_CACHE = join(homedir(), '.cache', 'catenae', 'npm');
const packed = packWorkspace();
const work = mkdtempSync(join(tmpdir(), 'catenae-user-'));
const app = join(work, 'my-app');
const env = npmEnv();
const running: ChildProcess[] = [];
after(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
  rmSync(packed.dir, { recursive: true, force: true });
});

/** The environment of a user's shell: no workspace variables, node-gyp told where Node's headers are. */
function npmEnv(): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^(npm_|pnpm_|NODE_TEST_CONTEXT$|NODE_OPTIONS$|INIT_CWD$)/i.test(name)) clean[name] = value;
  // Machines without internet access have the headers next to node (as scripts/setup.sh finds them).
  const prefix = resolve(dirname(process.execPath), '..');
  for (const dir of [prefix, '/usr', '/usr/local']) if (existsSync(join(dir, 'include', 'node', 'node.h'))) return { ...clean, npm_config_nodedir: dir };
  return clean;
}

/** Runs a command to its end: its exit code, output (stdout and stderr) and duration. */
function runToEnd(command: string, args: string[], cwd: string, timeoutMs = 600_000): Promise<{ code: number | null; out: string; ms: number }> {
  const startedAt = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    child.stderr!.on('data', (chunk) => (out += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, out, ms: Date.now() - startedAt });
    });
  });
}

/** Runs a command to its end; rejects with its output when it fails. */
async function run(command: string, args: string[], cwd: string, timeoutMs = 600_000): Promise<{ out: string; ms: number }> {
  const { code, out, ms } = await runToEnd(command, args, cwd, timeoutMs);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${out.slice(-3000)}`);
  return { out, ms };
}

/** A duration in whole seconds, for the figures the test prints. */
function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(0)} s`;
}

/**
 * Gives the project's node-rdkafka (installed without its install script) the addon the
 * workspace's node-rdkafka of the same version was compiled into; another version is compiled.
 */
async function provideRdkafkaAddon(): Promise<void> {
  const installed = join(app, 'node_modules', 'node-rdkafka');
  const built = dirname(createRequire(join(ROOT, 'packages/kafka/package.json')).resolve('node-rdkafka/package.json'));
  const versionOf = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  assert.ok(!existsSync(join(installed, 'build')), 'npm ran no install script');
  if (versionOf(installed) !== versionOf(built)) {
    process.stdout.write(`# npm resolved node-rdkafka ${versionOf(installed)}, the workspace built ${versionOf(built)}: compiling it\n`);
    await run('npm', ['rebuild', 'node-rdkafka'], app, 1_200_000);
    return;
  }
  // The addon finds librdkafka beside it through its RUNPATH, $ORIGIN/../deps.
  for (const file of ['build/Release/node-librdkafka.node', 'build/deps/librdkafka.so.1', 'build/deps/librdkafka++.so.1']) {
    mkdirSync(dirname(join(installed, file)), { recursive: true });
    copyFileSync(join(built, file), join(installed, file));
  }
}

/** A long-running `npx catenae ...` in the project, in a process group of its own as in a terminal. */
interface Started {
  child: ChildProcess;
  lines: string[];
}

function start(args: string[]): Started {
  const child = spawn('npx', ['catenae', ...args], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.push(child);
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
  return { child, lines };
}

/**
 * Ctrl-C, as a terminal sends it to the whole group (npx does not pass a signal sent to it alone
 * on to the command it runs): resolves once every link logged `stopped` and the group is gone.
 */
async function interrupt(started: Started, links: string[]): Promise<void> {
  process.kill(-started.child.pid!, 'SIGINT');
  const isGone = () => {
    try {
      process.kill(-started.child.pid!, 0);
      return false;
    } catch {
      return true;
    }
  };
  await until(isGone, 'the process group to end', started.lines, 60_000);
  for (const link of links) assert.ok(started.lines.some((line) => new RegExp(`info  ${link}\\(\\w+\\) stopped$`).test(line)), `${link} drained and stopped:\n${started.lines.join('\n')}`);
  assert.ok(!started.lines.some((line) => line.startsWith('catenae: ')), `no error:\n${started.lines.join('\n')}`);
}

async function until(check: () => boolean, what: string, lines: string[], timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${lines.slice(-20).join('\n')}`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
}

describe('a project outside the workspace, from the packed tarballs', { timeout: 1_500_000 }, () => {
  before(async () => {
    assert.ok(!work.startsWith(ROOT), 'the project lies outside the workspace');
    // The packed CLI scaffolds, as `npx catenae new` would from the registry.
    const scaffold = await run('npm', ['exec', '--yes', '--cache', NPM_CACHE, `--package=${packed.tarballs['@catenae/core']}`, `--package=${packed.tarballs.catenae}`, '--', 'catenae', 'new', 'my-app', '--tarballs', packed.dir], work);
    process.stdout.write(`# pnpm -r pack ${seconds(packed.ms)}, npx catenae new ${seconds(scaffold.ms)}\n`);
  });

  it('without the optional @catenae/kafka (npm install --omit=optional), nothing compiles and npm test passes', async () => {
    const install = await run('npm', ['install', '--omit=optional', '--cache', NPM_CACHE, '--no-audit', '--no-fund'], app);
    process.stdout.write(`# npm install --omit=optional (no native build): ${seconds(install.ms)}\n`);
    assert.ok(!existsSync(join(app, 'node_modules', 'node-rdkafka')), 'node-rdkafka is not installed');
    const { out } = await run('npm', ['test'], app);
    assert.match(out, /# pass 2/);
    assert.match(out, /# fail 0/);
  });

  it('the published types compile with skipLibCheck off, and npx catenae --version answers', async () => {
    await run('npx', ['tsc', '--noEmit', '--skipLibCheck', 'false'], app);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string };
    assert.equal((await run('npx', ['catenae', '--version'], app)).out.trim(), version);
  });

  it('npx catenae run: the three links on the embedded broker, without any Kafka client, stopped cleanly', async () => {
    const topology = start(['run', 'dist/source.js', 'dist/middle.js', 'dist/leaf.js']);
    await until(() => topology.lines.filter((line) => /^line-\d: HELLO CATENAE \d+$/.test(line)).length >= 2, 'two lines at the leaf', topology.lines);
    await interrupt(topology, ['Source', 'Upper', 'Printer']);
  });

  it('npx catenae run -k without @catenae/kafka says in one line what to install', async () => {
    const { code, out } = await runToEnd('npx', ['catenae', 'run', 'dist/middle.js', '-k', KAFKA], app);
    assert.equal(code, 20, out);
    assert.match(out.trim(), /^catenae: -k \(running on Kafka\) needs @catenae\/kafka, which is not installed here: add it to your project \(npm install @catenae\/kafka\) \(CATENAE_MISSING_PACKAGE\)$/);
  });

  it('with @catenae/kafka installed by npm, npx catenae run -k: each link in its own process on Kafka', async () => {
    const isCompiling = process.env.CATENAE_PACKED_COMPILE === '1';
    const install = await run('npm', ['install', ...(isCompiling ? [] : ['--ignore-scripts']), '--cache', NPM_CACHE, '--no-audit', '--no-fund'], app, 1_200_000);
    process.stdout.write(`# npm install with @catenae/kafka (${isCompiling ? 'node-rdkafka compiled' : 'no install scripts'}): ${seconds(install.ms)}\n`);
    if (!isCompiling) await provideRdkafkaAddon();
    const lines = uniqueTopic('user_lines');
    const upper = uniqueTopic('user_upper');
    const leaf = start(['run', 'dist/leaf.js', '-k', KAFKA, '-i', upper]);
    const middle = start(['run', 'dist/middle.js', '-k', KAFKA, '-i', lines, '-o', upper]);
    await until(() => middle.lines.some((line) => line.includes(' assigned ')) && leaf.lines.some((line) => line.includes(' assigned ')), 'the groups to form', [...middle.lines, ...leaf.lines]);
    const source = start(['run', 'dist/source.js', '-k', KAFKA, '-o', lines]);
    await until(() => leaf.lines.filter((line) => /^line-\d: HELLO CATENAE \d+$/.test(line)).length >= 2, 'two lines at the leaf', leaf.lines);
    await Promise.all([interrupt(source, ['Source']), interrupt(middle, ['Upper']), interrupt(leaf, ['Printer'])]);
  });
});
