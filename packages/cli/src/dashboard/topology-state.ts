import type { AnnouncedError, InstanceAnnouncement, TopicFigures } from '@catenae/core';

/** How an instance looks to the dashboard: as it announced, or gone when it fell silent while running. */
export type InstanceStatus = 'running' | 'stopping' | 'stopped' | 'gone';

/** One instance as the page shows it. */
export interface InstanceView {
  uid: string;
  host: string;
  pid: number;
  status: InstanceStatus;
  /** Milliseconds since its last announcement. */
  silentMs: number;
  startedAt: number;
  version: string;
  mode: string;
  consumerGroup: string | null;
  partitions: string[];
  inPerSecond: number;
  outPerSecond: number;
  lag: number;
  errors: number;
  deadLetters: number;
  tables: Record<string, number> | undefined;
  isRestoring: boolean;
}

/** A link: its running instances' figures added up, and what it reads and writes. */
export interface LinkView {
  name: string;
  kind: 'source' | 'middle' | 'leaf';
  /** Instances running (or stopping) now. */
  live: number;
  instances: InstanceView[];
  inputs: string[];
  /** Data outputs (dead-letter and changelog topics are counted, not drawn). */
  outputs: string[];
  deadLetterTopics: string[];
  consumerGroups: string[];
  modes: string[];
  rpcMethods: string[];
  rpcServed: Record<string, number>;
  tables: Record<string, number>;
  inPerSecond: number;
  outPerSecond: number;
  /** Electrons/s per input topic and per output topic. */
  inRates: Record<string, number>;
  outRates: Record<string, number>;
  inTotal: number;
  outTotal: number;
  errors: number;
  deadLetters: number;
  deliveryErrors: number;
  lag: number;
  lagByPartition: { topic: string; partition: number; lag: number; uid: string }[];
  recentErrors: (AnnouncedError & { uid: string })[];
}

/** A stream between links: electrons/s written to it and read from it by the live instances. */
export interface TopicView {
  name: string;
  writtenPerSecond: number;
  readPerSecond: number;
}

/** An arrow of the graph: a link writing a topic, or a topic read by a link, with its rate. */
export interface EdgeView {
  from: string;
  to: string;
  kind: 'input' | 'output';
  perSecond: number;
}

/** Everything the page shows at one moment, without the drawing. */
export interface TopologySnapshot {
  at: number;
  links: LinkView[];
  topics: TopicView[];
  edges: EdgeView[];
}

/** When an instance counts as gone, and when the dashboard forgets it. */
export interface StalenessOptions {
  /** An instance is gone after this many of its announcement intervals without one (default 3). */
  missedIntervals: number;
  /** Instances silent this long are dropped from the view, in ms (default 10 minutes). */
  forgetAfterMs: number;
}

// Announcements travel through a broker and ride on timers: allow some lateness before "gone".
const GONE_SLACK_MS = 2000;

/**
 * The running topology as the dashboard knows it: the last announcement of every instance, turned
 * into per-link views whose figures add up the instances that run now. Counts of instances of one
 * link sharing a process are the same counts (they come from process-wide channels): they are
 * added once per process.
 */
export class TopologyState {
  readonly #instances = new Map<string, { announcement: InstanceAnnouncement; heardAt: number }>();
  readonly #options: StalenessOptions;

  constructor(options: Partial<StalenessOptions> = {}) {
    this.#options = { missedIntervals: options.missedIntervals ?? 3, forgetAfterMs: options.forgetAfterMs ?? 10 * 60_000 };
  }

  /** Takes an announcement read at `receivedAt`; an older one than held for its uid is ignored. */
  add(announcement: InstanceAnnouncement, receivedAt = Date.now()): void {
    const held = this.#instances.get(announcement.uid);
    if (held !== undefined && held.announcement.at > announcement.at) return;
    // A clock ahead of ours must not keep an instance alive: trust the earlier of the two.
    this.#instances.set(announcement.uid, { announcement, heardAt: Math.min(announcement.at, receivedAt) });
  }

  /** How many instances are known (any status). */
  get size(): number {
    return this.#instances.size;
  }

  /** The view at `now`; instances silent for longer than `forgetAfterMs` are dropped first. */
  snapshot(now = Date.now()): TopologySnapshot {
    const byLink = new Map<string, { announcement: InstanceAnnouncement; view: InstanceView }[]>();
    for (const [uid, { announcement, heardAt }] of this.#instances) {
      const silentMs = Math.max(0, now - heardAt);
      if (silentMs > this.#options.forgetAfterMs) {
        this.#instances.delete(uid);
        continue;
      }
      const list = byLink.get(announcement.link) ?? [];
      byLink.set(announcement.link, list);
      list.push({ announcement, view: instanceView(announcement, this.#status(announcement, silentMs), silentMs) });
    }
    const links = [...byLink].sort(([a], [b]) => a.localeCompare(b)).map(([name, instances]) => linkView(name, instances));
    const { topics, edges } = streamsOf(links);
    return { at: now, links, topics, edges };
  }

  #status(a: InstanceAnnouncement, silentMs: number): InstanceStatus {
    if (a.state === 'stopped') return 'stopped';
    // A stop announces itself as it begins; the process may exit before its last word arrives.
    if (a.state === 'stopping') return silentMs > a.intervalMs ? 'stopped' : 'stopping';
    return silentMs > this.#options.missedIntervals * a.intervalMs + GONE_SLACK_MS ? 'gone' : 'running';
  }
}

function isLive(status: InstanceStatus): boolean {
  return status === 'running' || status === 'stopping';
}

function instanceView(a: InstanceAnnouncement, status: InstanceStatus, silentMs: number): InstanceView {
  return {
    uid: a.uid,
    host: a.host,
    pid: a.pid,
    status,
    silentMs,
    startedAt: a.startedAt,
    version: a.version,
    mode: a.mode,
    consumerGroup: a.consumerGroup,
    partitions: a.partitions.map((p) => `${p.topic}[${p.partition}]`),
    inPerSecond: sum(a.in.map((f) => f.perSecond)),
    outPerSecond: sum(a.out.filter((f) => isDataTopic(f.topic)).map((f) => f.perSecond)),
    lag: sum(a.lag.map((l) => l.lag)),
    errors: a.errors,
    deadLetters: a.deadLetters,
    tables: a.tables,
    isRestoring: a.isRestoring,
  };
}

function linkView(name: string, instances: { announcement: InstanceAnnouncement; view: InstanceView }[]): LinkView {
  instances.sort((x, y) => Number(isLive(y.view.status)) - Number(isLive(x.view.status)) || x.view.uid.localeCompare(y.view.uid));
  const live = instances.filter((i) => isLive(i.view.status));
  // What the link reads and writes: from its live instances, else from the last ones heard.
  const described = live.length > 0 ? live : instances;
  const inputs = union(described.map((i) => i.announcement.inputs.filter(isDataTopic)));
  const allOutputs = union(described.map((i) => i.announcement.outputs));
  const outputs = allOutputs.filter(isDataTopic);
  // Counts are per process: instances of one link sharing a process announce the same ones.
  const counted = onePerProcess(live.map((i) => i.announcement));
  const rpcServed: Record<string, number> = {};
  const tables: Record<string, number> = {};
  for (const { announcement } of live) {
    for (const [table, entries] of Object.entries(announcement.tables ?? {})) tables[table] = (tables[table] ?? 0) + entries;
  }
  for (const a of counted) for (const [method, n] of Object.entries(a.rpcServed)) rpcServed[method] = (rpcServed[method] ?? 0) + n;
  return {
    name,
    kind: inputs.length === 0 ? 'source' : outputs.length === 0 ? 'leaf' : 'middle',
    live: live.length,
    instances: instances.map((i) => i.view),
    inputs,
    outputs,
    deadLetterTopics: allOutputs.filter((t) => t.endsWith('.dlq')),
    consumerGroups: union(described.map((i) => (i.announcement.consumerGroup === null ? [] : [i.announcement.consumerGroup]))),
    modes: union(described.map((i) => [i.announcement.mode])),
    rpcMethods: union(described.map((i) => i.announcement.rpcMethods)),
    rpcServed,
    tables,
    inPerSecond: sum(counted.flatMap((a) => a.in.map((f) => f.perSecond))),
    outPerSecond: sum(counted.flatMap((a) => a.out.filter((f) => isDataTopic(f.topic)).map((f) => f.perSecond))),
    inRates: ratesByTopic(counted.flatMap((a) => a.in)),
    outRates: ratesByTopic(counted.flatMap((a) => a.out)),
    inTotal: sum(counted.flatMap((a) => a.in.map((f) => f.total))),
    outTotal: sum(counted.flatMap((a) => a.out.filter((f) => isDataTopic(f.topic)).map((f) => f.total))),
    errors: sum(counted.map((a) => a.errors)),
    deadLetters: sum(counted.map((a) => a.deadLetters)),
    deliveryErrors: sum(counted.map((a) => a.deliveryErrors)),
    lag: sum(live.flatMap((i) => i.announcement.lag.map((l) => l.lag))),
    lagByPartition: live
      .flatMap((i) => i.announcement.lag.map((l) => ({ ...l, uid: i.announcement.uid })))
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
    recentErrors: counted
      .flatMap((a) => a.recentErrors.map((e) => ({ ...e, uid: a.uid })))
      .sort((a, b) => a.at - b.at)
      .slice(-20),
  };
}

/** Topics between links, and the arrows with the rates the live instances announced on them. */
function streamsOf(links: LinkView[]): { topics: TopicView[]; edges: EdgeView[] } {
  const topics = new Map<string, TopicView>();
  const topic = (name: string) => {
    let view = topics.get(name);
    if (view === undefined) topics.set(name, (view = { name, writtenPerSecond: 0, readPerSecond: 0 }));
    return view;
  };
  const edges: EdgeView[] = [];
  for (const link of links) {
    for (const name of link.inputs) {
      const perSecond = link.inRates[name] ?? 0;
      topic(name).readPerSecond += perSecond;
      edges.push({ from: `topic:${name}`, to: `link:${link.name}`, kind: 'input', perSecond });
    }
    for (const name of link.outputs) {
      const perSecond = link.outRates[name] ?? 0;
      topic(name).writtenPerSecond += perSecond;
      edges.push({ from: `link:${link.name}`, to: `topic:${name}`, kind: 'output', perSecond });
    }
  }
  return { topics: [...topics.values()], edges };
}

/** Dead-letter topics and tables' changelogs are a link's business, not streams between links. */
function isDataTopic(topic: string): boolean {
  return !topic.endsWith('.dlq') && !topic.endsWith('.changelog') && !topic.startsWith('catenae.');
}

function ratesByTopic(figures: readonly TopicFigures[]): Record<string, number> {
  const rates: Record<string, number> = {};
  for (const f of figures) rates[f.topic] = Math.round(((rates[f.topic] ?? 0) + f.perSecond) * 10) / 10;
  return rates;
}

function onePerProcess(announcements: InstanceAnnouncement[]): InstanceAnnouncement[] {
  const seen = new Set<string>();
  return announcements.filter((a) => {
    const key = `${a.host}\u0000${a.pid}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function union(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}

function sum(values: readonly number[]): number {
  return Math.round(values.reduce((a, b) => a + b, 0) * 10) / 10;
}
