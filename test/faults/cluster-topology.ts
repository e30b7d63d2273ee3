import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { uniqueTopic, type CatenaeProcess } from '../support/catenae-process.js';
import { audit, createTopic, produceKeyed, readTopic, type KeyedValue, type ProduceOptions } from '../support/kafka-admin.js';
import type { FaultProcesses } from './fault-processes.js';
import { progress, recordFigure } from './figures.js';
import type { LocalCluster } from './local-cluster.js';
import { until } from './until.js';

/** Keys of the keyed stream; each key's values are numbered in order. */
export const KEYS = 100;

/** Flags of every link the cluster tests start: assignments logged (`info`), no announcements (a producer less per process). */
const QUIET = ['--log-level', 'info', '--announce-interval', '0'];
/** A relay's exit after SIGTERM taking longer than this is worth its log lines in the test's output. */
const SLOW_EXIT_S = 60;

/** An execution mode: its name and its `catenae run` flags. */
export type Mode = readonly [name: 'async' | 'sequential' | 'synchronous' | 'exactly-once', flags: readonly string[]];

const ALL_MODES: readonly Mode[] = [
  ['async', []],
  ['sequential', ['--seq']],
  ['synchronous', ['--sync']],
  ['exactly-once', ['--eos']],
];

/** The execution modes and their flags; `CATENAE_CLUSTER_MODES=async,exactly-once` runs only those. */
export const MODES: readonly Mode[] = modesNamed(process.env.CATENAE_CLUSTER_MODES);

function modesNamed(list: string | undefined): readonly Mode[] {
  if (list === undefined) return ALL_MODES;
  const names = list.split(',');
  const unknown = names.filter((name) => !ALL_MODES.some(([mode]) => mode === name));
  if (unknown.length > 0) throw new Error(`CATENAE_CLUSTER_MODES: no mode ${unknown.join(', ')} (modes: ${ALL_MODES.map(([mode]) => mode).join(', ')})`);
  return ALL_MODES.filter(([mode]) => names.includes(mode));
}

/** What reached the sinks of a {@link ClusterTopology}. */
export interface TopologyAudit {
  /** The relay's output, read_committed: values lost, seen twice, keys whose first occurrences are out of order. */
  lost: number;
  duplicated: number;
  keysOutOfOrder: number;
  /** The counter's last count per key against the number of electrons of that key. */
  countsExact: number;
  countsAbove: number;
  countsBelow: number;
}

/**
 * The cluster fault tests' topology in one mode: keyed electrons on `input` → `relay` (a middle
 * link, as many instances as started) → `middle` → `counter` (a counting sink with a table and
 * `--state-dir`, its changelog created by the link) → `counts`. Both links run in the mode; the
 * counter is named `Counter_<mode>` so each mode's calls go to its own RPC topics.
 */
export class ClusterTopology {
  readonly mode: Mode[0];
  readonly input: string;
  readonly middle: string;
  readonly counts: string;
  readonly relayGroup: string;
  readonly counterGroup: string;
  readonly counterName: string;
  readonly relays: CatenaeProcess[] = [];
  counter: CatenaeProcess | undefined;
  readonly #cluster: LocalCluster;
  readonly #processes: FaultProcesses;
  readonly #flags: readonly string[];
  readonly #partitions: number;
  readonly #stateDir = mkdtempSync(join(tmpdir(), 'catenae-cluster-state-'));

  /** @param relayGroup the relay's consumer group (default: a unique name). */
  constructor(cluster: LocalCluster, processes: FaultProcesses, [mode, flags]: Mode, partitions = 4, relayGroup?: string) {
    this.#cluster = cluster;
    this.#processes = processes;
    this.mode = mode;
    this.#flags = flags;
    this.#partitions = partitions;
    const tag = mode.replace('-', '');
    this.input = uniqueTopic(`cluster_${tag}_in`);
    this.middle = uniqueTopic(`cluster_${tag}_mid`);
    this.counts = uniqueTopic(`cluster_${tag}_counts`);
    this.relayGroup = relayGroup ?? uniqueTopic(`cluster_${tag}_relay`);
    this.counterGroup = uniqueTopic(`cluster_${tag}_counter`);
    this.counterName = `Counter_${tag}`;
    after(() => rmSync(this.#stateDir, { recursive: true, force: true }));
  }

  /** The counter's changelog, `<group>.<table>.changelog`. */
  get changelog(): string {
    return `${this.counterGroup}.counts.changelog`;
  }

  /** The topics of the topology with their partition counts. */
  get topics(): Record<string, number> {
    return { [this.input]: this.#partitions, [this.middle]: this.#partitions, [this.counts]: this.#partitions };
  }

  /** Creates the three topics as Kafka places them. */
  async create(): Promise<void> {
    await Promise.all(Object.keys(this.topics).map((topic) => createTopic(topic, this.#partitions, { bootstrap: this.#cluster.bootstrap })));
  }

  /** Starts one more relay instance. */
  startRelay(): CatenaeProcess {
    const args = ['-i', this.input, '-o', this.middle, '-g', this.relayGroup, ...QUIET, ...this.#flags];
    const relay = this.#processes.run('relay', args);
    this.relays.push(relay);
    return relay;
  }

  /**
   * SIGTERM to one relay instance, which leaves the topology; its exit code. An exit that takes
   * over a minute prints the relay's last lines, so a run without FAULT_LOGS shows where it waited.
   */
  async stopRelay(relay: CatenaeProcess): Promise<number | null> {
    this.relays.splice(this.relays.indexOf(relay), 1);
    const startedAt = Date.now();
    const code = await relay.stop();
    const seconds = (Date.now() - startedAt) / 1000;
    if (seconds > SLOW_EXIT_S) progress(`a relay took ${seconds.toFixed(0)} s to exit (${code}); its last lines:\n${relay.stderr.slice(-15).join('\n')}`);
    return code;
  }

  /** Starts the counting sink (`extra`: more flags, such as `--uid`). */
  startCounter(extra: readonly string[] = []): CatenaeProcess {
    const args = ['-i', this.middle, '-o', this.counts, '-g', this.counterGroup, '--state-dir', this.#stateDir, ...QUIET, ...this.#flags, ...extra];
    this.counter = this.#processes.run('counter', args, { COUNTER_LINK_NAME: this.counterName });
    return this.counter;
  }

  /** Starts the counter (with `counterFlags`) and one relay; resolves once both have their partitions. */
  async start(counterFlags: readonly string[] = []): Promise<void> {
    const counter = this.startCounter(counterFlags);
    const relay = this.startRelay();
    await Promise.all([assigned(counter, this.middle), assigned(relay, this.input)]);
  }

  /**
   * Produces `count` keyed electrons on the input (see `produceKeyed`; idempotent, every one
   * acknowledged), in bursts of 500: small bursts cost the producer and every link after it
   * several times the CPU, and four streams share two cores with three brokers.
   */
  produce(count: number, perSecond: ProduceOptions['perSecond']): Promise<void> {
    return produceKeyed(this.input, count, KEYS, { perSecond, burst: 500, bootstrap: this.#cluster.bootstrap });
  }

  /**
   * Records the relay wrote so far (high watermarks of `middle`, transaction markers included).
   * Reads that fail (a node just back, whose metadata lags: "Unknown partition") are retried.
   */
  async relayed(): Promise<number> {
    let written = 0;
    await until(async () => {
      written = await this.#cluster.written(this.middle, this.#partitions);
      return true;
    }, `${this.mode}: the relay's output watermarks`, 60_000, 200);
    return written;
  }

  /** Waits until the relay wrote `count` records; reads that fail meanwhile (a leader just lost) count as not yet. */
  async relayedAtLeast(count: number, what: string, timeoutMs = 180_000): Promise<void> {
    // Every 200 ms: four topologies poll at once, on a cluster that shares two cores.
    await until(async () => (await this.#cluster.written(this.middle, this.#partitions)) >= count, `${this.mode}: ${what}`, timeoutMs, 200);
  }

  /**
   * Milliseconds from `since` until the relay's output holds `records` more than `before` (read
   * before a fault): how long its writes stalled until new leaders took over.
   */
  async stallMs(since: number, before: number, records = 100): Promise<number> {
    await this.relayedAtLeast(before + records, 'the stream to move again');
    return Date.now() - since;
  }

  /** Reads both sinks until every one of `expected` electrons and every key's final count arrived. */
  async audit(expected: number, timeoutMs = 240_000): Promise<TopologyAudit> {
    const bootstrap = this.#cluster.bootstrap;
    const relayed = await readTopic(this.middle, (r) => new Set(r.map((x) => x.value)).size >= expected, { idleMs: 3000, timeoutMs, bootstrap });
    const perKey = expected / KEYS;
    const settled = (r: KeyedValue[]): boolean => lastCounts(r).size === KEYS && [...lastCounts(r).values()].every((n) => n >= perKey);
    const counted = await readTopic(this.counts, settled, { idleMs: 3000, timeoutMs, bootstrap });
    const { lost, duplicated, keysOutOfOrder } = audit(expected, KEYS, relayed);
    const last = lastCounts(counted);
    let [countsAbove, countsBelow] = [0, KEYS - last.size];
    for (const n of last.values()) {
      if (n > perKey) countsAbove++;
      else if (n < perKey) countsBelow++;
    }
    return { lost, duplicated, keysOutOfOrder, countsExact: KEYS - countsAbove - countsBelow, countsAbove, countsBelow };
  }

  /** Every link process started is still running: none exited (none was restarted by hand). */
  running(): boolean {
    return this.#all().every((p) => p.child.exitCode === null && p.child.signalCode === null);
  }

  /** SIGTERM to every link still running; their exit codes. */
  stopAll(): Promise<(number | null)[]> {
    return Promise.all(this.#all().map((p) => p.stop()));
  }

  /** The last lines of every link's stderr, to explain a failure. */
  lastLines(): string {
    return this.#all()
      .map((p, i) => `${this.mode} #${i} (exit ${p.child.exitCode ?? p.child.signalCode ?? 'running'}):\n    ${p.stderr.slice(-8).join('\n    ')}`)
      .join('\n');
  }

  #all(): CatenaeProcess[] {
    return this.counter === undefined ? [...this.relays] : [...this.relays, this.counter];
  }
}

/** Resolves once `instance` logged an assignment of a partition of `topic`. */
export function assigned(instance: CatenaeProcess, topic: string): Promise<string> {
  return instance.waitFor((line) => line.includes('assigned') && line.includes(`${topic}[`), 240_000, `an assignment of ${topic}`);
}

/** The last count each key reached (the counter emits the key's count as text). */
function lastCounts(records: readonly KeyedValue[]): Map<string, number> {
  const last = new Map<string, number>();
  for (const { key, value } of records) last.set(key!, Number(value));
  return last;
}

/** One line of figures for RELIABILITY.md. */
export function describeAudit(result: TopologyAudit): string {
  return `relay output: lost ${result.lost}, duplicated ${result.duplicated}, keys out of order ${result.keysOutOfOrder}; counts: ${result.countsExact} exact, ${result.countsAbove} above, ${result.countsBelow} below`;
}

/**
 * The failures of one mode's audit against what the mode promises: nothing lost and no count
 * below its input in every mode; per-key order but in `async`; nothing duplicated and every count
 * exact in `exactly-once`. Empty when the mode kept its promises.
 */
export function brokenPromises(mode: Mode[0], result: TopologyAudit): string[] {
  const broken: string[] = [];
  if (result.lost > 0) broken.push(`${result.lost} lost`);
  if (result.countsBelow > 0) broken.push(`${result.countsBelow} counts below`);
  if (mode !== 'async' && result.keysOutOfOrder > 0) broken.push(`${result.keysOutOfOrder} keys out of order`);
  if (mode === 'exactly-once' && result.duplicated > 0) broken.push(`${result.duplicated} duplicated`);
  if (mode === 'exactly-once' && result.countsAbove > 0) broken.push(`${result.countsAbove} counts above`);
  return broken;
}

/**
 * Audits every topology of a scenario once its fault is over: reads both sinks, records one
 * figure line per mode (`figure(topology, audit)` says what happened to that mode), checks that
 * every link still runs, runs `beforeStop` (the links still running), checks that every link
 * exits 0 on SIGTERM, and returns what each mode promised and did not keep (an empty object when
 * all kept their promises).
 */
export async function auditAll(
  topologies: readonly ClusterTopology[],
  expected: number,
  test: string,
  figure: (topology: ClusterTopology, result: TopologyAudit) => string,
  beforeStop: () => Promise<void> = async () => undefined,
): Promise<Record<string, string[]>> {
  progress(`${test}: reading the sinks`);
  const results = await Promise.all(
    topologies.map((t) =>
      t.audit(expected).catch((err: Error) => {
        throw new Error(`${t.mode}: ${err.message}\n${t.lastLines()}`);
      }),
    ),
  );
  const broken: Record<string, string[]> = {};
  for (const [i, t] of topologies.entries()) {
    const result = results[i]!;
    recordFigure(test, t.mode, `${figure(t, result)}: ${describeAudit(result)}`);
    const failures = brokenPromises(t.mode, result);
    if (!t.running()) failures.push(`a link stopped:\n${t.lastLines()}`);
    if (failures.length > 0) broken[t.mode] = failures;
  }
  await beforeStop();
  const exits = await Promise.all(topologies.map((t) => t.stopAll()));
  for (const [i, t] of topologies.entries()) {
    if (exits[i]!.some((code) => code !== 0)) (broken[t.mode] ??= []).push(`exit codes on SIGTERM: ${exits[i]!.join(', ')}`);
  }
  return broken;
}
