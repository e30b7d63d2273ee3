// The Kafka Streams program of the table and window benchmarks (native-bench/kafka-streams/): built
// once with Maven from Maven Central into ~/.cache/catenae/bench-kafka-streams-<hash of its
// sources>/, then started as a process the harness watches like any other.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchProcess } from './bench-process.mjs';

const PROJECT = fileURLToPath(new URL('../kafka-streams/', import.meta.url));
const MAIN_CLASS = 'io.catenae.bench.StreamsCount';

function sourcesOf(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourcesOf(path) : [path];
  });
}

/**
 * Builds the program unless this version of it is cached, and resolves to its classpath. Builds
 * into a private folder renamed into place, so an interrupted build is never taken for a build.
 */
export async function buildKafkaStreams(log = () => {}) {
  const hash = createHash('sha256');
  for (const file of [join(PROJECT, 'pom.xml'), ...sourcesOf(join(PROJECT, 'src')).sort()]) hash.update(file.slice(PROJECT.length)).update(readFileSync(file));
  const dir = join(process.env.CATENAE_CACHE ?? join(homedir(), '.cache', 'catenae'), `bench-kafka-streams-${hash.digest('hex').slice(0, 12)}`);
  const classpath = `${join(dir, 'target', 'classes')}:${join(dir, 'libs', '*')}`;
  if (existsSync(dir)) return classpath;
  log(`building the Kafka Streams program with Maven into ${dir} (once per version of its sources)`);
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const args = ['-q', '-B', '-f', join(PROJECT, 'pom.xml'), `-Dbench.build=${join(staging, 'target')}`, 'compile', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${join(staging, 'libs')}`];
  const output = [];
  const code = await new Promise((resolve, reject) => {
    const mvn = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    mvn.stdout.on('data', (chunk) => output.push(chunk));
    mvn.stderr.on('data', (chunk) => output.push(chunk));
    mvn.on('error', (err) => reject(new Error(`cannot run mvn to build the Kafka Streams program (is Maven 3.8+ installed?): ${err.message}`)));
    mvn.on('exit', resolve);
  });
  if (code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`mvn could not build the Kafka Streams program (exit ${code}):\n${Buffer.concat(output).toString().slice(-3000)}`);
  }
  try {
    renameSync(staging, dir);
  } catch (err) {
    // Another run put its build in place first: keep that one.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(dir)) throw err;
  }
  return classpath;
}

/**
 * Starts the program (see StreamsCount.java for the options): `mode` count | windowed-count,
 * `guarantee` at_least_once | exactly_once_v2, `cache` default | off. The JVM runs with its
 * defaults (no heap setting), as Kafka Streams would be deployed without tuning.
 */
export function startKafkaStreams(classpath, { mode, brokers, input, output, appId, stateDir, guarantee, cache, expect }) {
  const options = { mode, bootstrap: brokers, input, output, 'app-id': appId, 'state-dir': stateDir, guarantee, cache, expect };
  const args = ['-cp', classpath, MAIN_CLASS, ...Object.entries(options).map(([name, value]) => `${name}=${value}`)];
  return new BenchProcess(`kafka-streams-${mode}`, args, {}, 'java');
}
