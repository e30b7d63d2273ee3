// One Compose project of test/docker: a compose file of docker/compose run under a project name of
// its own, and what the test reads from it (its containers, their logs, the broker's own tools).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { composeCommand, docker, DOCKER_ENV, mustRun, run, type RunResult } from './docker-cli.js';
import { ROOT } from './stand-in-images.js';
import { until as pollUntil } from '../faults/until.js';

/** The prefix of every project name the test makes, so a later run can remove what a dead one left. */
export const PROJECT_PREFIX = 'catenaetest';

/** The state of one container, as `docker inspect` has it. */
export interface ContainerState {
  id: string;
  hostname: string;
  status: string;
  exitCode: number;
  restartCount: number;
  pid: number;
}

/** Partition → the client id of the group member that owns it (`<Link>-<hostname>`). */
export type Owners = Map<number, string>;

export class ComposeProject {
  readonly name: string;
  readonly #file: string;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #logFile: string;

  /** `file` relative to the repository root; `env` adds variables the compose file reads. */
  constructor(file: string, env: Readonly<Record<string, string>>, logFile: string) {
    this.name = `${PROJECT_PREFIX}${randomBytes(3).toString('hex')}`;
    this.#file = join(ROOT, file);
    this.#env = { ...DOCKER_ENV, ...env };
    this.#logFile = logFile;
  }

  /** Runs `compose -p <name> -f <file> ...args`, throwing when it fails. */
  compose(args: readonly string[], timeoutMs = 10 * 60_000): Promise<string> {
    const [command, prefix] = composeCommand();
    return mustRun(command, [...prefix, '-p', this.name, '-f', this.#file, ...args], { cwd: ROOT, env: this.#env, logFile: this.#logFile, timeoutMs });
  }

  /** Runs `compose ...args` and returns what it printed, whatever its exit code. */
  tryCompose(args: readonly string[], timeoutMs = 5 * 60_000): Promise<RunResult> {
    const [command, prefix] = composeCommand();
    return run(command, [...prefix, '-p', this.name, '-f', this.#file, ...args], { cwd: ROOT, env: this.#env, logFile: this.#logFile, timeoutMs });
  }

  /** `up -d --build` with `--scale service=n` for each entry. */
  up(scale: Readonly<Record<string, number>> = {}): Promise<string> {
    return this.compose(['up', '-d', '--build', ...Object.entries(scale).flatMap(([service, n]) => ['--scale', `${service}=${n}`])]);
  }

  /** `down -v`: containers, networks, and volumes (the images' anonymous ones included). */
  down(): Promise<string> {
    return this.compose(['down', '-v', '--remove-orphans']);
  }

  /** The ids of a service's containers (not `run` ones), in creation order. */
  async containers(service: string): Promise<string[]> {
    const out = await docker(['ps', '-a', '--no-trunc', '--filter', `label=com.docker.compose.project=${this.name}`, '--filter', `label=com.docker.compose.service=${service}`, '--filter', 'label=com.docker.compose.oneoff=False', '--format', '{{.ID}}']);
    return out.split('\n').filter(Boolean).reverse();
  }

  /** The one container of a service that runs one. */
  async container(service: string): Promise<string> {
    const [id, ...others] = await this.containers(service);
    if (id === undefined || others.length > 0) throw new Error(`${service}: ${others.length + (id === undefined ? 0 : 1)} containers, expected 1`);
    return id;
  }

  /** Everything that still carries the project's label: containers and networks. */
  async leftovers(): Promise<string[]> {
    const label = `label=com.docker.compose.project=${this.name}`;
    const containers = await docker(['ps', '-a', '--filter', label, '--format', 'container {{.Names}}']);
    const networks = await docker(['network', 'ls', '--filter', label, '--format', 'network {{.Name}}']);
    return `${containers}\n${networks}`.split('\n').filter(Boolean);
  }

  /** stdout and stderr of all a service's containers, one after another. */
  async logs(service: string): Promise<string> {
    const parts = await Promise.all((await this.containers(service)).map(containerLogs));
    return parts.join('\n');
  }

  /** Runs a tool of the broker's image (`kafka-consumer-groups`, ...) against it, in its container. */
  async kafkaTool(tool: string, args: readonly string[]): Promise<string> {
    return docker(['exec', await this.container('kafka'), `/opt/kafka/bin/${tool}.sh`, '--bootstrap-server', 'localhost:9092', ...args], { timeoutMs: 60_000 });
  }

  /** Who owns each partition of `topic` in `group`, as the broker says. */
  async owners(group: string, topic: string): Promise<Owners> {
    const owners: Owners = new Map();
    for (const row of await this.#describe(group)) if (row.group === group && row.topic === topic && row.clientId !== '-') owners.set(row.partition, row.clientId);
    return owners;
  }

  /**
   * The lag of `groups` over all their partitions, from one run of the broker's tool; undefined
   * while a group is unknown to the broker or one of its partitions has no committed offset.
   */
  async lag(groups: readonly string[]): Promise<number | undefined> {
    const rows = await this.#describe(groups.length === 1 ? groups[0] : undefined);
    let total = 0;
    for (const group of groups) {
      const ofGroup = rows.filter((row) => row.group === group);
      if (ofGroup.length === 0) return undefined;
      for (const row of ofGroup) {
        // The RPC topics are read without commits; an empty partition nobody read has no lag.
        if (row.topic.startsWith('catenae.rpc.') || (row.lag === undefined && row.logEnd === 0)) continue;
        if (row.lag === undefined) return undefined;
        total += row.lag;
      }
    }
    return total;
  }

  // One JVM per call (a second or two of a core): every group at once unless one is named.
  async #describe(group: string | undefined): Promise<{ group: string; topic: string; partition: number; logEnd: number; lag: number | undefined; clientId: string }[]> {
    const out = await this.kafkaTool('kafka-consumer-groups', ['--describe', ...(group === undefined ? ['--all-groups'] : ['--group', group])]);
    // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
    return out
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols.length >= 9 && cols[0] !== 'GROUP' && /^\d+$/.test(cols[2]!))
      .map((cols) => ({ group: cols[0]!, topic: cols[1]!, partition: Number(cols[2]), logEnd: Number(cols[4]), lag: cols[5] === '-' ? undefined : Number(cols[5]), clientId: cols[8]! }));
  }

  /** The number of records in a topic (the sum of its partitions' end offsets); 0 before it exists. */
  async endOffsets(topic: string): Promise<number> {
    const out = await this.kafkaTool('kafka-get-offsets', ['--topic', topic]);
    return out.split('\n').filter(Boolean).reduce((sum, line) => sum + Number(line.split(':')[2]), 0);
  }

  /**
   * Writes what explains a failure next to the Compose log, as <project>.log: every container's
   * log with timestamps and the broker's view of every consumer group.
   */
  async saveDiagnostics(): Promise<void> {
    const logs = await this.tryCompose(['logs', '--no-color', '--timestamps']);
    const groups = await this.kafkaTool('kafka-consumer-groups', ['--describe', '--all-groups']).catch((err: unknown) => String(err));
    writeFileSync(join(dirname(this.#logFile), `${this.name}.log`), `${logs.stdout}${logs.stderr}\n---- consumer groups\n${groups}\n`);
  }

  /** Waits for the service's healthcheck to pass. */
  async waitHealthy(service: string, timeoutMs: number): Promise<void> {
    const id = await this.container(service);
    await until(async () => (await inspect(id)).status === 'running' && (await health(id)) === 'healthy', `${service} healthy`, timeoutMs);
  }
}

/**
 * Runs `body` on a project of `file` brought up with `--scale scale` (the broker healthy first), then
 * `down -v`, and checks that nothing of it is left: no container, network or volume.
 */
export async function runProject(
  file: string,
  env: Readonly<Record<string, string>>,
  scale: Readonly<Record<string, number>>,
  logFile: string,
  body: (project: ComposeProject) => Promise<void>,
): Promise<void> {
  const project = new ComposeProject(file, env, logFile);
  const volumesBefore = await volumeNames();
  try {
    await project.up(scale);
    await project.waitHealthy('kafka', 180_000);
    await body(project);
  } catch (err) {
    await project.saveDiagnostics();
    throw err;
  } finally {
    await project.down();
  }
  assert.deepEqual(await project.leftovers(), [], `${file}: down leaves no container or network`);
  const volumesAfter = await volumeNames();
  assert.deepEqual(volumesAfter.filter((v) => !volumesBefore.includes(v)), [], `${file}: down -v leaves no volume`);
}

/**
 * Removes the containers (with their anonymous volumes) and networks of every project this test
 * made, left by a run that died.
 */
export async function removeProjects(): Promise<void> {
  const ofTests = (out: string) =>
    out
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([, project]) => project?.startsWith(PROJECT_PREFIX))
      .map(([id]) => id!);
  const format = '{{.ID}} {{.Label "com.docker.compose.project"}}';
  const containers = ofTests(await docker(['ps', '--all', '--filter', 'label=com.docker.compose.project', '--format', format]));
  if (containers.length > 0) await docker(['rm', '--force', '--volumes', ...containers]);
  const networks = ofTests(await docker(['network', 'ls', '--filter', 'label=com.docker.compose.project', '--format', format]));
  if (networks.length > 0) await docker(['network', 'rm', ...networks]);
}

/** The names of the engine's volumes. */
export async function volumeNames(): Promise<string[]> {
  return (await docker(['volume', 'ls', '--quiet'])).split('\n').filter(Boolean);
}

/** A container's state. */
export async function inspect(id: string): Promise<ContainerState> {
  const out = await docker(['inspect', '--format', '{{.Config.Hostname}} {{.State.Status}} {{.State.ExitCode}} {{.RestartCount}} {{.State.Pid}}', id]);
  const [hostname, status, exitCode, restartCount, pid] = out.trim().split(' ');
  return { id, hostname: hostname!, status: status!, exitCode: Number(exitCode), restartCount: Number(restartCount), pid: Number(pid) };
}

async function health(id: string): Promise<string> {
  return (await docker(['inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{end}}', id])).trim();
}

/** A container's stdout and stderr. */
export async function containerLogs(id: string): Promise<string> {
  const result = await run('docker', ['logs', id]);
  return `${result.stdout}${result.stderr}`;
}

/** Polls `check` every second (each check runs docker commands) until it holds: see faults/until.ts. */
export function until(check: () => Promise<boolean>, what: string | (() => string), timeoutMs: number): Promise<void> {
  return pollUntil(check, what, timeoutMs, 1000);
}
