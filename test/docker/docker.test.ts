// Issue 19: docker/link.Dockerfile and docker/compose/*.yml built and run on a Docker Engine, as a
// user runs them. The engine is the one that answers, or a dockerd started here (root) and stopped
// again; base images the engine lacks are made locally (stand-in-images.ts: no registry answers
// here). Everything the run makes is removed at the end: its containers, networks and volumes,
// and its images (with a dockerd of its own, the whole data root). CATENAE_DOCKER_KEEP=1 keeps
// the images (and that data root) for the next run; CATENAE_SKIP_DOCKER=1 skips the suite.
// The image is built once per run, and every step below uses that build (compose's --build finds
// every layer in the cache). By default, what CI runs: the image, wordcount.yml and filter.yml
// (docker/README.md has the measured times); CATENAE_DOCKER_EXAMPLES=1 also runs the other five
// compose files (2 minutes more once the images exist, and FerretDB's Go build for the mongo:7
// stand-in the first time).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exampleFile } from '../examples/example-process.js';
import { TestDriver } from '@catenae/core';
import { docker, run } from './docker-cli.js';
import { ensureDockerEngine, lockMachine, type DockerEngine } from './docker-engine.js';
import { ComposeProject, containerLogs, removeProjects, until } from './compose-project.js';
import { runIss, runLogAnalyzer, runMongodbSink, runPriority, runRpc } from './example-scenarios.js';
import { BaseImages, buildLog, composeImages, ROOT, STAND_IN_IMAGES } from './stand-in-images.js';
import { runTopology, STREAMER_REPEAT } from './topology-scenario.js';

const SKIP = process.env['CATENAE_SKIP_DOCKER'] === '1' ? 'CATENAE_SKIP_DOCKER=1' : false;
const KEEP = process.env['CATENAE_DOCKER_KEEP'] === '1';
const EXAMPLES = process.env['CATENAE_DOCKER_EXAMPLES'] === '1' ? false : 'the other examples run with CATENAE_DOCKER_EXAMPLES=1';
const CACHE_DIR = join(process.env['CATENAE_CACHE_DIR'] ?? join(homedir(), '.cache', 'catenae'), 'docker');
/** Build and Compose output of the last run, a file per build, kept for a look at what failed. */
const LOG_DIR = join(CACHE_DIR, 'last-run');
const LINK_IMAGE = 'catenae/link:dev';
/** The images docker/link.Dockerfile is built FROM. */
const LINK_BASE_IMAGES = ['node:20-bookworm', 'node:20-bookworm-slim'];
/** The link image's build stage, tagged for the ldd check (one run at a time: lockMachine). */
const BUILD_STAGE = 'catenaetest/link-build:dev';
const COMPOSE_DIR = join(ROOT, 'docker/compose');
const SCENARIO_MS = 20 * 60_000;

const log = (line: string) => process.stderr.write(`[docker] ${line}\n`);

// The examples' own modules, as compiled: the text, the word splitting, the filter.
const { LINES } = (await import(exampleFile('filter/text.js'))) as { LINES: readonly string[] };
const { countWords } = (await import(exampleFile('wordcount/mapper.js'))) as { countWords(line: string): Map<string, number> };
const WORDS = LINES.reduce((sum, line) => sum + [...countWords(line).values()].reduce((a, b) => a + b, 0), 0);

describe('docker/: the link image and the compose files, built and run', { skip: SKIP }, () => {
  let release: (() => void) | undefined;
  let engine: DockerEngine | undefined;
  let baseImages: BaseImages | undefined;
  let danglingBefore = new Set<string>();
  let startedAt = Date.now();
  let workDir: string | undefined;
  const logFile = join(LOG_DIR, 'compose.log');
  const composeFiles = ['wordcount', 'filter', ...(EXAMPLES === false ? ['iss', 'priority', 'log-analyzer', 'rpc', 'mongodb-sink'] : [])];

  before(async () => {
    release = await lockMachine(30 * 60_000, (holder) => log(`waiting for another run (pid ${holder}) to finish`));
    startedAt = Date.now();
    rmSync(LOG_DIR, { recursive: true, force: true });
    mkdirSync(LOG_DIR, { recursive: true });
    workDir = mkdtempSync(join(tmpdir(), 'catenae-docker-test-'));
    engine = await ensureDockerEngine(join(CACHE_DIR, 'engine'), join(CACHE_DIR, 'dockerd.log'), KEEP);
    log(engine.isStartedHere ? `started dockerd on ${engine.dataRoot}` : 'using the Docker Engine that answers');
    await removeProjects();
    danglingBefore = new Set(await danglingImages());
    const images = new BaseImages({ cacheDir: CACHE_DIR, workDir, logDir: LOG_DIR, log });
    baseImages = images;
    // The link image's compile and the broker's stand-in at the same time.
    const linkImage = (async () => {
      await images.provide(LINK_BASE_IMAGES);
      const buildStartedAt = Date.now();
      await docker(['build', '--force-rm', '--file', 'docker/link.Dockerfile', '--tag', LINK_IMAGE, '.'], { cwd: ROOT, logFile: buildLog({ logDir: LOG_DIR }, LINK_IMAGE), timeoutMs: 40 * 60_000 });
      log(`built ${LINK_IMAGE} in ${seconds(buildStartedAt)} s`);
      // The same build (every layer from the cache), its build stage tagged: the ldd check reads it,
      // and a tagged stage is no dangling image, so the compile stays cached for the next build.
      await docker(['build', '--force-rm', '--target', 'build', '--file', 'docker/link.Dockerfile', '--tag', BUILD_STAGE, '.'], { cwd: ROOT, logFile: buildLog({ logDir: LOG_DIR }, BUILD_STAGE) });
    })();
    const services = images.provide([...new Set(composeFiles.flatMap((name) => composeImages(join(COMPOSE_DIR, `${name}.yml`))))]);
    const results = await Promise.allSettled([linkImage, services]);
    for (const result of results) if (result.status === 'rejected') throw result.reason;
    log(`images ready ${seconds(startedAt)} s after the start (logs: ${LOG_DIR})`);
  }, { timeout: 75 * 60_000 });

  after(async () => {
    try {
      if (engine?.isStartedHere) {
        // The layers stay as the next run's cache (the build stage's under its tag); images no
        // later build can reuse go.
        if (KEEP) await run('docker', ['image', 'prune', '--force']);
        await engine.stop(KEEP);
        log(KEEP ? `stopped dockerd; kept ${engine.dataRoot}` : 'stopped dockerd and removed its data root');
      } else if (engine !== undefined) {
        await removeProjects();
        if (!KEEP) {
          await run('docker', ['image', 'rm', BUILD_STAGE]);
          const built = [...(baseImages?.built ?? [])].reverse();
          for (const image of [LINK_IMAGE, ...built]) await run('docker', ['image', 'rm', image]);
          const dangling = (await danglingImages()).filter((id) => !danglingBefore.has(id));
          if (dangling.length > 0) await run('docker', ['image', 'rm', ...dangling]);
          log(`removed ${LINK_IMAGE}, ${built.length} stand-ins and ${dangling.length} untagged build images`);
        }
      }
    } finally {
      release?.();
      if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
      log(`the whole run took ${seconds(startedAt)} s`);
    }
  }, { timeout: 10 * 60_000 });

  it('the image carries exactly the libraries librdkafka links and the launcher’s jemalloc, and every native module resolves with ldd', { timeout: 10 * 60_000 }, async () => {
    // The build stage (tagged by before): librdkafka's own dependencies, by package.
    const librdkafka = '$(ls /opt/catenae/node_modules/.pnpm/node-rdkafka@*/node_modules/node-rdkafka/build/deps/librdkafka.so.1)';
    const needed = await shell(BUILD_STAGE, `for so in $(readelf -d ${librdkafka} | sed -n 's/.*Shared library: \\[\\(.*\\)\\]/\\1/p'); do dpkg -S "*/$so"; done`);
    const linkedPackages = new Set(needed.split('\n').filter(Boolean).map((line) => line.split(':')[0]!));
    assert.ok(linkedPackages.has('libcurl4') && linkedPackages.has('libssl3'), `librdkafka links ${[...linkedPackages].join(', ')}`);
    const runtimeStage = readFileSync(join(ROOT, 'docker/link.Dockerfile'), 'utf8').split(/^FROM /m).at(-1)!;
    const installed = /apt-get install -y --no-install-recommends ([^\\&\n]+)/.exec(runtimeStage)![1]!.trim().split(/\s+/);
    // libjemalloc2 is the launcher's allocator (packages/cli/src/bin.ts), checked below.
    assert.deepEqual(
      installed.filter((pkg) => pkg !== 'ca-certificates' && pkg !== 'libjemalloc2').sort(),
      [...linkedPackages].filter((pkg) => pkg !== 'libc6').sort(),
      'the runtime stage installs the package of each library librdkafka links (the C library aside), jemalloc, and nothing else',
    );

    // The runtime image: nothing any native module (glibc builds) or librdkafka needs is missing.
    // librdkafka++ finds librdkafka beside it through node-rdkafka's RPATH, which ldd of the library
    // alone does not know: the libraries are checked with their own directory on the search path.
    const missing = await shell(
      LINK_IMAGE,
      `deps=$(dirname ${librdkafka}); for f in $(find /opt/catenae -name '*.node' ! -name '*musl*'); do ldd "$f" | sed -n "s|^\\s*\\(.*not found\\)|$f: \\1|p"; done; ` +
        `for f in "$deps"/librdkafka*.so.1; do LD_LIBRARY_PATH="$deps" ldd "$f" | sed -n "s|^\\s*\\(.*not found\\)|$f: \\1|p"; done; echo checked`,
    );
    assert.equal(missing.trim(), 'checked', missing);
    const features = await shell(LINK_IMAGE, `node -p "require(require.resolve('node-rdkafka', { paths: ['/opt/catenae/packages/kafka'] })).features.join(' ')"`);
    for (const feature of ['ssl', 'sasl_scram', 'sasl_gssapi', 'sasl_oauthbearer', 'zstd', 'lz4', 'oidc']) assert.match(features, new RegExp(`\\b${feature}\\b`), `librdkafka has ${feature}: ${features}`);
    assert.equal((await shell(LINK_IMAGE, 'id -u')).trim(), '1000', 'links run as the node user');
    // A link started as the entrypoint starts it runs on jemalloc.
    const probe = "import { readFileSync } from 'node:fs'; console.log(readFileSync('/proc/self/maps', 'utf8').includes('libjemalloc')); process.exit(0);";
    const onJemalloc = await shell(LINK_IMAGE, `echo "${probe}" > /tmp/probe.mjs && /bin/sh /opt/catenae/packages/cli/dist/bin.js run /tmp/probe.mjs`);
    assert.equal(onJemalloc.trim(), 'true', 'the launcher loads jemalloc in the image');
  });

  it('a link in the image (docker run) reaches a broker container over a network of its own', { timeout: 10 * 60_000 }, async () => {
    const network = `catenaetest-probe-${process.pid}`;
    const { readYamlSubset } = (await import(join(ROOT, 'docker/read-yaml-subset.mjs'))) as { readYamlSubset(text: string, file: string): ComposeFile };
    const kafkaService = readYamlSubset(readFileSync(join(COMPOSE_DIR, 'filter.yml'), 'utf8'), 'filter.yml').services.kafka!;
    await docker(['network', 'create', network]);
    let kafka: string | undefined;
    try {
      const env = Object.entries(kafkaService.environment ?? {}).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
      kafka = (await docker(['run', '--detach', '--network', network, '--network-alias', 'kafka', ...env, kafkaService.image!])).trim();
      // Its log, not a client tool: a JVM started every second would compete with the broker's own start.
      await until(async () => /Kafka Server started/.test(await containerLogs(kafka!)), 'the broker', 180_000);
      const streamer = await run('docker', ['run', '--rm', '--network', network, LINK_IMAGE, '/opt/catenae/examples/dist/filter/streamer.js', '-k', 'kafka:9092', '-o', 'probe']);
      assert.equal(streamer.code, 0, streamer.stderr);
      assert.match(streamer.stderr + streamer.stdout, new RegExp(`sent ${LINES.length} lines`));
      const offsets = await docker(['exec', kafka, '/opt/kafka/bin/kafka-get-offsets.sh', '--bootstrap-server', 'localhost:9092', '--topic', 'probe']);
      assert.equal(offsets.split('\n').filter(Boolean).reduce((sum, line) => sum + Number(line.split(':')[2]), 0), LINES.length, 'every line is on the broker');
    } finally {
      if (kafka !== undefined) await run('docker', ['rm', '--force', '--volumes', kafka]);
      await run('docker', ['network', 'rm', network]);
    }
  });

  it(`wordcount.yml, 4 mappers and 2 reducers: one partition per mapper, ${STREAMER_REPEAT} x ${WORDS} words counted exactly, docker stop, a reducer restarted on its volume, a broker crash, down -v`, { timeout: SCENARIO_MS }, () =>
    runTopology(
      {
        file: 'docker/compose/wordcount.yml',
        scale: { mapper: 4, reducer: 2 },
        spread: { service: 'mapper', link: 'Mapper', group: 'catenae_mapper', topic: 'mapper_input' },
        groups: ['catenae_mapper', 'catenae_reducer', 'catenae_tally'],
        counted: tallied,
        perRun: STREAMER_REPEAT * WORDS,
        stateful: { service: 'reducer', group: 'catenae_reducer', topic: 'reducer_input', stateDir: '/var/lib/catenae/state' },
      },
      logFile,
      log,
    ),
  );

  it('filter.yml, 4 filters: one partition each, every matching line passed on exactly once, docker stop, a broker crash, down -v', { timeout: SCENARIO_MS }, async () => {
    // What the filter passes of one text, by the link itself.
    const { Filter } = (await import(exampleFile('filter/filter.js'))) as { Filter: new () => object };
    const driver = await TestDriver.start([Filter]);
    for (const line of LINES) await driver.send('filter_input', line);
    await driver.drain();
    const matching = driver.read('filtered_lines').length;
    await driver.close();
    assert.ok(matching > 0 && matching < LINES.length);
    await runTopology(
      {
        file: 'docker/compose/filter.yml',
        scale: { filter: 4 },
        spread: { service: 'filter', link: 'Filter', group: 'catenae_filter', topic: 'filter_input' },
        groups: ['catenae_filter'],
        counted: (project) => project.endOffsets('filter_output'),
        perRun: STREAMER_REPEAT * matching,
      },
      logFile,
      log,
    );
  });

  it('iss.yml: the sample replayed through the source and the displacement link', { timeout: SCENARIO_MS, skip: EXAMPLES }, () => runIss(logFile, log));
  it('priority.yml: triage after the producer, alerts first', { timeout: SCENARIO_MS, skip: EXAMPLES }, () => runPriority(logFile, log));
  it('log-analyzer.yml: two analyzers, summaries equal to a direct count', { timeout: SCENARIO_MS, skip: EXAMPLES }, () => runLogAnalyzer(logFile, log));
  it('rpc.yml: workers changed by the controller run on demand', { timeout: SCENARIO_MS, skip: EXAMPLES }, () => runRpc(logFile, log));
  it('mongodb-sink.yml: the counts stored in MongoDB exactly', { timeout: SCENARIO_MS, skip: EXAMPLES }, () => runMongodbSink(logFile, log));

  it('every example with more than one link has a compose file, and this suite has a run of each', () => {
    const run = ['wordcount', 'filter', 'iss', 'priority', 'log-analyzer', 'rpc', 'mongodb-sink'];
    const examples = readdirSync(join(ROOT, 'examples'), { withFileTypes: true }).filter((entry) => entry.isDirectory() && entry.name !== 'dist' && entry.name !== 'node_modules');
    for (const { name } of examples) {
      const links = readdirSync(join(ROOT, 'examples', name)).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && readFileSync(join(ROOT, 'examples', name, file), 'utf8').includes('@Link('));
      if (links.length > 1) assert.ok(existsSync(join(COMPOSE_DIR, `${name}.yml`)), `examples/${name} has ${links.length} links and no docker/compose/${name}.yml`);
    }
    const files = readdirSync(COMPOSE_DIR).filter((file) => file.endsWith('.yml'));
    assert.deepEqual(files.map((file) => file.replace(/\.yml$/, '')).sort(), [...run].sort(), 'every compose file has a run above');
    for (const file of files) for (const image of composeImages(join(COMPOSE_DIR, file))) assert.ok(STAND_IN_IMAGES.includes(image), `${file}: ${image} has no stand-in`);
  });
});

interface ComposeFile {
  services: Record<string, { image?: string; environment?: Record<string, string | number> }>;
}

/** The tally's last total: "counted N words; top: ...". */
async function tallied(project: ComposeProject): Promise<number> {
  const totals = [...(await project.logs('tally')).matchAll(/^counted (\d+) words/gm)].map((m) => Number(m[1]));
  return totals.at(-1) ?? 0;
}

/** `sh -c script` in a container of `image`, as its user; stdout. */
function shell(image: string, script: string): Promise<string> {
  return docker(['run', '--rm', '--entrypoint', 'sh', image, '-c', script]);
}

async function danglingImages(): Promise<string[]> {
  return (await docker(['images', '--quiet', '--no-trunc', '--filter', 'dangling=true'])).split('\n').filter(Boolean);
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 1000);
}
