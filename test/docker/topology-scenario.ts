// A topology of docker/compose put through what a deployment meets: started with four instances of
// one link, each owning one partition; counted exactly; one instance stopped with `docker stop`
// (exit 0 after draining); a stateful instance restarted on its volume; the broker's JVM killed
// (the container comes back by its restart policy and counting goes on); `down -v` leaving nothing.
import assert from 'node:assert/strict';
import { docker } from './docker-cli.js';
import { containerLogs, inspect, runProject, until, type ComposeProject, type Owners } from './compose-project.js';

/** What {@link runTopology} needs to know of a compose file. */
export interface Topology {
  /** Relative to the repository root. */
  file: string;
  /** `--scale` of `up`; `spread.service` must be 4 (the partitions of its input). */
  scale: Readonly<Record<string, number>>;
  /** The link whose instances share their input: service, link name, group and topic. */
  spread: { service: string; link: string; group: string; topic: string };
  /** Groups that must have no lag before a count is read (the consumers downstream of the streamer). */
  groups: readonly string[];
  /** What the topology counted so far, as a user reads it. */
  counted(project: ComposeProject): Promise<number>;
  /** What one run of the streamer (STREAMER_REPEAT texts) adds to the count. */
  perRun: number;
  /** A scaled link with tables, restarted on its own volume; its state directory. */
  stateful?: { service: string; group: string; topic: string; stateDir: string };
}

/** How many times the streamer sends the text per run. */
export const STREAMER_REPEAT = 3;
const STEP_MS = 180_000;

/** Runs the whole scenario; `log` gets one line per step. */
export async function runTopology(topology: Topology, logFile: string, log: (line: string) => void): Promise<void> {
  const env = { STREAMER_REPEAT: String(STREAMER_REPEAT), STREAMER_PAUSE_MS: '0' };
  const startedAt = Date.now();
  await runProject(topology.file, env, topology.scale, logFile, async (project) => {
    log(`${topology.file}: up with ${JSON.stringify(topology.scale)}, Kafka healthy after ${Math.round((Date.now() - startedAt) / 1000)} s`);
    const { service, link, group, topic } = topology.spread;
    const instances = await project.containers(service);
    assert.equal(instances.length, 4, `four ${service} containers`);
    const clientIds = await Promise.all(instances.map(async (id) => `${link}-${(await inspect(id)).hostname}`));
    await until(async () => ownsOnePartitionEach(await project.owners(group, topic), clientIds), `four ${service}s owning one partition of ${topic} each`, STEP_MS);
    await settle(project, topology, 1);
    log(`${topology.file}: four ${service}s own a partition each; counted ${topology.perRun}`);

    // A stopped instance drains, commits and exits 0; the others take its partition over.
    const [stopped, ...others] = instances as [string, ...string[]];
    await docker(['stop', '--time', '40', stopped]);
    const state = await inspect(stopped);
    const logs = await containerLogs(stopped);
    assert.equal(state.exitCode, 0, `docker stop: exit ${state.exitCode}\n${logs.slice(-2000)}`);
    assert.match(logs, /stopping: received SIGTERM/);
    assert.match(logs.trim().split('\n').at(-1)!, / stopped$/, 'the last line says it stopped after draining');
    await until(async () => coversAll(await project.owners(group, topic), clientIds.slice(1)), `the other three ${service}s owning all four partitions`, STEP_MS);
    log(`${topology.file}: docker stop ${service}: exit 0 after "stopped"; three own the four partitions`);

    if (topology.stateful !== undefined) await restartStateful(project, topology.stateful, log);

    const streamer = await project.container('streamer');
    await docker(['start', streamer]);
    await settle(project, topology, 2);
    log(`${topology.file}: the streamer again: counted ${2 * topology.perRun}, exactly`);

    // The broker's JVM dies (not `docker kill`: Docker counts that as a manual stop and does not
    // restart the container); restart: always brings the container back with its data.
    const kafka = await project.container('kafka');
    const before = await inspect(kafka);
    process.kill(before.pid, 'SIGKILL');
    await until(async () => (await inspect(kafka)).restartCount > before.restartCount, 'the broker container restarted', STEP_MS);
    await project.waitHealthy('kafka', STEP_MS);
    await docker(['start', streamer]);
    await until(async () => (await inspect(streamer)).status === 'exited', 'the streamer to finish', STEP_MS);
    assert.equal((await inspect(streamer)).exitCode, 0, 'the streamer exits 0');
    const atLeast = 3 * topology.perRun;
    await until(async () => (await lagsAreZero(project, topology)) && (await topology.counted(project)) >= atLeast, `a count of ${atLeast} or more after the broker came back`, 2 * STEP_MS);
    log(`${topology.file}: the broker's JVM killed, its container back; counted ${await topology.counted(project)} (>= ${atLeast})`);
    for (const id of others) assert.equal((await inspect(id)).status, 'running', `${service} ${id.slice(0, 12)} runs on`);
  });
  log(`${topology.file}: down -v left no container, network or volume`);
}

// Every consumer downstream has caught up and the streamer has finished (exit 0): the count is final.
async function settle(project: ComposeProject, topology: Topology, runs: number): Promise<void> {
  const streamer = await project.container('streamer');
  const expected = runs * topology.perRun;
  let seen = 'nothing yet';
  await until(
    async () => {
      const [state, lag, counted] = [await inspect(streamer), await project.lag(topology.groups), await topology.counted(project)];
      seen = `streamer ${state.status} (exit ${state.exitCode}), lag ${lag ?? 'unknown'}, counted ${counted}`;
      return state.status === 'exited' && lag === 0 && counted >= expected;
    },
    () => `a count of ${expected} (last seen: ${seen})`,
    STEP_MS,
  );
  assert.equal((await inspect(streamer)).exitCode, 0, 'the streamer exits 0');
  assert.equal(await topology.counted(project), expected, 'counted exactly once');
}

async function lagsAreZero(project: ComposeProject, topology: Topology): Promise<boolean> {
  return (await project.lag(topology.groups)) === 0;
}

// One instance of a link with tables stops (exit 0) and starts again on the same volume: its
// shards are still there, and it takes partitions again.
async function restartStateful(project: ComposeProject, stateful: NonNullable<Topology['stateful']>, log: (line: string) => void): Promise<void> {
  const [id] = await project.containers(stateful.service);
  const shards = async () => (await docker(['exec', id!, 'find', stateful.stateDir, '-mindepth', '3', '-maxdepth', '3', '-type', 'd'])).split('\n').filter(Boolean).sort();
  const held = await shards();
  assert.ok(held.length > 0, `${stateful.service} keeps shards in ${stateful.stateDir}`);
  await docker(['stop', '--time', '40', id!]);
  assert.equal((await inspect(id!)).exitCode, 0, `${stateful.service} exits 0`);
  await docker(['start', id!]);
  const hostname = (await inspect(id!)).hostname;
  assert.deepEqual((await shards()).filter((dir) => held.includes(dir)), held, 'the shards survive the restart in its volume');
  const owns = async () => [...(await project.owners(stateful.group, stateful.topic)).values()].some((clientId) => clientId.endsWith(`-${hostname}`));
  await until(owns, `${stateful.service} ${hostname} owning partitions of ${stateful.topic} again`, STEP_MS);
  log(`${stateful.service} restarted on its volume (${held.length} shard directories kept) and owns partitions again`);
}

function ownsOnePartitionEach(owners: Owners, clientIds: readonly string[]): boolean {
  const owned = [...owners.values()];
  return owners.size === 4 && [0, 1, 2, 3].every((p) => owners.has(p)) && clientIds.every((id) => owned.filter((o) => o === id).length === 1);
}

function coversAll(owners: Owners, clientIds: readonly string[]): boolean {
  return [0, 1, 2, 3].every((p) => clientIds.includes(owners.get(p) ?? ''));
}
