// The base images docker/link.Dockerfile and docker/compose/*.yml name, made locally where the
// engine lacks them: no container registry answers on these machines. Each stand-in is tagged with
// the official name, so FROM and image: resolve without a pull; an image the engine already has
// (the official one, pulled) is used as it is. Downloads are cached in <cache>/docker.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KAFKA_VERSION } from '@catenae/kafka';
import { ferretDbBinary } from '../services/ferretdb-binary.js';
import { docker, hasImage, mustRun } from './docker-cli.js';

/** Where the stand-ins' Dockerfiles are, in the source tree. */
const STAND_INS_DIR = fileURLToPath(new URL('../../docker/stand-ins/', import.meta.url));
/** The repository's root, from test/dist/docker. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface StandInOptions {
  /** Downloads kept between runs: the Debian root file system, npm, kafka-tools. */
  cacheDir: string;
  /** Build contexts, removed by the caller. */
  workDir: string;
  /** Where build output goes, a file per stand-in (they are built at the same time). */
  logDir: string;
  log(line: string): void;
}

interface StandIn {
  image: string;
  /** The stand-in it is built FROM, if any. */
  from?: string;
  build(options: StandInOptions): Promise<void>;
}

const NODE_MAJOR = '20';
const DEBIAN = 'debian:bookworm-slim';
const NODE_SLIM = `node:${NODE_MAJOR}-bookworm-slim`;

const STAND_INS: StandIn[] = [
  { image: DEBIAN, build: buildDebian },
  { image: NODE_SLIM, from: DEBIAN, build: buildNodeSlim },
  { image: `node:${NODE_MAJOR}-bookworm`, from: NODE_SLIM, build: buildNode },
  { image: `apache/kafka:${KAFKA_VERSION}`, from: DEBIAN, build: buildKafka },
  { image: 'mongo:7', from: DEBIAN, build: buildMongo },
];

/** The images this module can stand in for. */
export const STAND_IN_IMAGES: readonly string[] = STAND_INS.map((s) => s.image);

/**
 * The base images of one run: each stand-in is built at most once, after the one it is built FROM,
 * and stand-ins that do not depend on each other are built at the same time (their apt downloads
 * overlap; the link image's compile need not wait for the broker's image).
 */
export class BaseImages {
  readonly #options: StandInOptions;
  readonly #ready = new Map<string, Promise<void>>();
  readonly #built: string[] = [];

  constructor(options: StandInOptions) {
    this.#options = options;
  }

  /** The stand-ins built by this run, each after the one it is built FROM. */
  get built(): readonly string[] {
    return this.#built;
  }

  /** Resolves once the engine has every one of `images`, building stand-ins for those it lacks. */
  async provide(images: readonly string[]): Promise<void> {
    const results = await Promise.allSettled(images.map((image) => this.#provide(image)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  #provide(image: string): Promise<void> {
    let ready = this.#ready.get(image);
    if (ready === undefined) {
      const standIn = STAND_INS.find((s) => s.image === image);
      if (standIn === undefined) throw new Error(`no stand-in for ${image}`);
      ready = this.#build(standIn);
      this.#ready.set(image, ready);
    }
    return ready;
  }

  async #build(standIn: StandIn): Promise<void> {
    if (await hasImage(standIn.image)) {
      this.#options.log(`using the engine's ${standIn.image}`);
      return;
    }
    if (standIn.from !== undefined) await this.#provide(standIn.from);
    const startedAt = Date.now();
    await standIn.build(this.#options);
    this.#built.push(standIn.image);
    this.#options.log(`built a stand-in for ${standIn.image} in ${Math.round((Date.now() - startedAt) / 1000)} s`);
  }
}

function dockerBuild(options: StandInOptions, dockerfile: string, tag: string, context: string, buildArgs: string[] = []): Promise<string> {
  return docker(['build', '--force-rm', '--file', join(STAND_INS_DIR, dockerfile), '--tag', tag, ...buildArgs, context], { logFile: buildLog(options, tag), timeoutMs: 20 * 60_000 });
}

/** The log file of the build of `image`. */
export function buildLog(options: Pick<StandInOptions, 'logDir'>, image: string): string {
  return join(options.logDir, `build-${image.replace(/[^\w.-]+/g, '_')}.log`);
}

// A minbase bookworm from debootstrap (about 80 s, cached as a tarball), with the sources and the
// apt and dpkg settings the official image has, imported as debian:bookworm-slim.
async function buildDebian(options: StandInOptions): Promise<void> {
  // The name changes with what is written into the root file system, so an old cache is not used.
  const tarball = join(options.cacheDir, 'debian-bookworm-minbase-2.tar');
  if (!existsSync(tarball)) {
    if (spawnSync('debootstrap', ['--version'], { stdio: 'ignore' }).status !== 0) {
      throw new Error('debootstrap is missing (it makes the debian:bookworm-slim stand-in): bash scripts/setup.sh installs it');
    }
    const rootfs = join(options.workDir, 'rootfs');
    options.log('making a Debian bookworm root file system with debootstrap (once; cached)');
    await mustRun('debootstrap', ['--variant=minbase', 'bookworm', rootfs, 'http://deb.debian.org/debian'], { logFile: buildLog(options, DEBIAN), timeoutMs: 15 * 60_000 });
    rmSync(join(rootfs, 'etc/apt/sources.list'), { force: true });
    for (const dir of ['var/lib/apt/lists', 'var/cache/apt/archives']) {
      for (const name of readdirSync(join(rootfs, dir))) if (name !== 'partial' && name !== 'lock') rmSync(join(rootfs, dir, name), { recursive: true, force: true });
    }
    writeFileSync(join(rootfs, 'etc/apt/sources.list.d/debian.sources'), DEBIAN_SOURCES);
    for (const [path, text] of Object.entries(DOCKER_SETTINGS)) writeFileSync(join(rootfs, path), text);
    await mustRun('tar', ['--numeric-owner', '-C', rootfs, '-cf', `${tarball}.partial`, '.'], { timeoutMs: 5 * 60_000 });
    renameSync(`${tarball}.partial`, tarball);
    rmSync(rootfs, { recursive: true, force: true });
  }
  await docker(['import', '--change', 'CMD ["bash"]', tarball, DEBIAN], { logFile: buildLog(options, DEBIAN), timeoutMs: 5 * 60_000 });
}

// What debuerreotype writes into the official Debian images: dpkg skips its fsyncs (a build that
// dies is started again, not recovered; without this every apt-get install in every image built on
// the stand-in took markedly longer), apt keeps no downloaded packages, no translations and no
// suggested packages.
const DOCKER_SETTINGS: Readonly<Record<string, string>> = {
  'etc/dpkg/dpkg.cfg.d/docker-apt-speedup': 'force-unsafe-io\n',
  'etc/apt/apt.conf.d/docker-clean': [
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
    'Dir::Cache::pkgcache "";',
    'Dir::Cache::srcpkgcache "";',
    '',
  ].join('\n'),
  'etc/apt/apt.conf.d/docker-no-languages': 'Acquire::Languages "none";\n',
  'etc/apt/apt.conf.d/docker-autoremove-suggests': 'Apt::AutoRemove::SuggestsImportant "false";\n',
};

const DEBIAN_SOURCES = `Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

// The Node that runs this test, its headers, and npm 10 (npm pack, cached).
async function buildNodeSlim(options: StandInOptions): Promise<void> {
  if (process.versions.node.split('.')[0] !== NODE_MAJOR) {
    throw new Error(`the node:${NODE_MAJOR} stand-ins are made from the Node that runs the test, which is ${process.versions.node}`);
  }
  const linked = (await mustRun('ldd', [process.execPath])).split('\n').map((line) => line.trim().split(' ')[0]!).filter(Boolean);
  const foreign = linked.filter((lib) => !/^(linux-vdso|\/lib64\/ld-linux|libc|libm|libdl|libpthread|libstdc\+\+|libgcc_s|librt)(?=[.-]|$)/.test(lib));
  if (foreign.length > 0) throw new Error(`${process.execPath} needs ${foreign.join(', ')}: the stand-in needs a self-contained node (nodejs.org's or NodeSource's build)`);
  const headers = [resolve(process.execPath, '../../include/node'), '/usr/include/node', '/usr/local/include/node'].find((dir) => existsSync(join(dir, 'node.h')));
  if (headers === undefined) throw new Error(`no Node headers (include/node/node.h) beside ${process.execPath}`);

  const context = join(options.workDir, 'node-slim');
  mkdirSync(join(context, 'include'), { recursive: true });
  cpSync(process.execPath, join(context, 'node'));
  cpSync(headers, join(context, 'include/node'), { recursive: true });
  cpSync(await npmTarball(options), join(context, 'npm.tgz'));
  cpSync(join(STAND_INS_DIR, 'docker-entrypoint.sh'), join(context, 'docker-entrypoint.sh'));
  await dockerBuild(options, 'node-slim.Dockerfile', NODE_SLIM, context, ['--build-arg', `NODE_VERSION=${process.versions.node}`]);
}

async function npmTarball(options: StandInOptions): Promise<string> {
  const cached = readdirSync(options.cacheDir).find((name) => /^npm-10\.[\d.]+\.tgz$/.test(name));
  if (cached !== undefined) return join(options.cacheDir, cached);
  const name = (await mustRun('npm', ['pack', 'npm@10', '--silent', '--pack-destination', options.cacheDir], { env: process.env })).trim().split('\n').at(-1)!;
  return join(options.cacheDir, name);
}

// The slim stand-in plus buildpack-deps' packages and the host's extra CA certificates.
async function buildNode(options: StandInOptions): Promise<void> {
  const context = join(options.workDir, 'node');
  mkdirSync(context, { recursive: true });
  writeFileSync(join(context, 'extra-ca-certificates.pem'), hostExtraCaCertificates());
  await dockerBuild(options, 'node.Dockerfile', `node:${NODE_MAJOR}-bookworm`, context);
}

// What the host trusts beyond Debian's bundle: a TLS-intercepting proxy's CA, for npm and pnpm
// inside the build. Read at test time, written only into the build context.
function hostExtraCaCertificates(): string {
  const dir = '/usr/local/share/ca-certificates';
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((name) => name.endsWith('.crt'))
    .map((name) => readFileSync(join(dir, name), 'utf8').trim())
    .join('\n');
}

// The local broker's classpath (resolved from its pom by @catenae/kafka, the same jars `catenae
// kafka up` runs) plus kafka-tools for the bin/ scripts.
async function buildKafka(options: StandInOptions): Promise<void> {
  const { brokerLayout } = (await import(packageModule('kafka', 'local-broker/broker-layout.js'))) as { brokerLayout(port: number): { libsDir: string } };
  const { resolveBrokerJars } = (await import(packageModule('kafka', 'local-broker/resolve-broker-jars.js'))) as {
    resolveBrokerJars(layout: { libsDir: string }, logger: { info(line: string): void }): Promise<void>;
  };
  const layout = brokerLayout(9092);
  await resolveBrokerJars(layout, { info: options.log });
  const tools = join(options.cacheDir, `kafka-tools-${KAFKA_VERSION}.jar`);
  if (!existsSync(tools)) {
    const staging = join(options.workDir, 'kafka-tools');
    const artifact = `org.apache.kafka:kafka-tools:${KAFKA_VERSION}`;
    await mustRun('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${staging}`], { logFile: buildLog(options, `apache/kafka:${KAFKA_VERSION}`), env: process.env });
    renameSync(join(staging, `kafka-tools-${KAFKA_VERSION}.jar`), tools);
  }
  const context = join(options.workDir, 'kafka');
  cpSync(join(STAND_INS_DIR, 'kafka'), context, { recursive: true });
  cpSync(layout.libsDir, join(context, 'libs'), { recursive: true });
  cpSync(tools, join(context, 'libs', `kafka-tools-${KAFKA_VERSION}.jar`));
  await dockerBuild(options, 'kafka.Dockerfile', `apache/kafka:${KAFKA_VERSION}`, context);
}

// FerretDB on SQLite, the server the connectors' tests build with Go.
async function buildMongo(options: StandInOptions): Promise<void> {
  const context = join(options.workDir, 'mongo');
  mkdirSync(context, { recursive: true });
  cpSync(await ferretDbBinary(), join(context, 'ferretdb'));
  await dockerBuild(options, 'mongo.Dockerfile', 'mongo:7', context);
}

// A module of a workspace package's build that its exports do not name.
function packageModule(pkg: string, path: string): string {
  return join(ROOT, 'packages', pkg, 'dist', path);
}

/** The images a compose file names (its link image aside). */
export function composeImages(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s+image:\s*(\S+)\s*$/gm)].map((m) => m[1]!).filter((image) => !image.startsWith('catenae/link'));
}
