// The wire format of instance announcements: what every running link instance says about itself
// on `catenae.instances`, so a dashboard learns the running topology from Kafka alone.
import type { ExecutionMode } from '../registry/link-definition.js';

/** The topic every link instance announces itself on (compacted by uid, old records deleted). */
export const INSTANCES_TOPIC = 'catenae.instances';

/** Bumped when a field changes meaning; readers skip announcements of a version they do not know. */
export const ANNOUNCEMENT_FORMAT = 1;

/** How an instance stands when it announces: at start, every interval while it runs, and as it stops. */
export type AnnouncedState = 'running' | 'stopping' | 'stopped';

/** Electrons counted on one topic since the instance started, and per second over the last interval. */
export interface TopicFigures {
  topic: string;
  total: number;
  perSecond: number;
}

/** One failure, as the detail view lists it. */
export interface AnnouncedError {
  /** Milliseconds since the epoch. */
  at: number;
  /** The input topic of the failed electron. */
  topic: string;
  /** What `--on-error` made of it: retry, dead-letter, skip or stop. */
  action: string;
  message: string;
}

/**
 * What one link instance says about itself on {@link INSTANCES_TOPIC}, keyed by its uid, as JSON.
 * Counts are since the instance started. Counts come from the process's diagnostics channels, which
 * name links, not instances: two instances of one link in one process (TestDriver, an embedded
 * development run) announce the same counts, and `pid` with `host` tells a reader so.
 * @publicApi
 */
export interface InstanceAnnouncement {
  format: typeof ANNOUNCEMENT_FORMAT;
  link: string;
  uid: string;
  host: string;
  pid: number;
  state: AnnouncedState;
  /** Milliseconds since the epoch, by the instance's clock. */
  at: number;
  startedAt: number;
  /** The next announcement comes within this many milliseconds while the instance runs. */
  intervalMs: number;
  /** The version of `@catenae/core` the instance runs. */
  version: string;
  mode: ExecutionMode;
  consumerGroup: string | null;
  inputs: string[];
  /** The default output and every topic the instance produced to (dead letters included). */
  outputs: string[];
  /** The input partitions the instance owns now. */
  partitions: { topic: string; partition: number }[];
  rpcMethods: string[];
  /** Entries per table held by this instance (absent for a link without tables). */
  tables?: Record<string, number>;
  /** Whether it is restoring table shards from their changelogs. */
  isRestoring: boolean;
  /** Electrons fetched, per input topic. */
  in: TopicFigures[];
  /** Outputs acknowledged by the broker, per topic. */
  out: TopicFigures[];
  /** Failed attempts (handler threw, undecodable input), dead letters, and outputs the broker refused. */
  errors: number;
  deadLetters: number;
  deliveryErrors: number;
  /** The last few failures, newest last. */
  recentErrors: AnnouncedError[];
  /** Consumer lag per partition (Kafka, from librdkafka statistics); empty where unknown. */
  lag: { topic: string; partition: number; lag: number }[];
  /** RPC calls this instance served, per method. */
  rpcServed: Record<string, number>;
}

/** The record value of an announcement. */
export function encodeAnnouncement(announcement: InstanceAnnouncement): Buffer {
  return Buffer.from(JSON.stringify(announcement));
}

/**
 * Reads an announcement from a record value; undefined for anything else (another format, bytes
 * written by hand), so a reader skips what it cannot show.
 * @publicApi
 */
export function parseAnnouncement(value: Buffer | string | null): InstanceAnnouncement | undefined {
  if (value === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const a = parsed as Partial<InstanceAnnouncement>;
  const isValid =
    a.format === ANNOUNCEMENT_FORMAT &&
    typeof a.link === 'string' &&
    typeof a.uid === 'string' &&
    typeof a.at === 'number' &&
    typeof a.intervalMs === 'number' &&
    (a.state === 'running' || a.state === 'stopping' || a.state === 'stopped') &&
    Array.isArray(a.inputs) &&
    Array.isArray(a.outputs) &&
    Array.isArray(a.partitions) &&
    Array.isArray(a.in) &&
    Array.isArray(a.out) &&
    Array.isArray(a.lag) &&
    Array.isArray(a.recentErrors);
  return isValid ? (a as InstanceAnnouncement) : undefined;
}
