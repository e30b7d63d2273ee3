import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Logger } from 'winston';
import { CatenaeError, ErrorCode } from '../errors.js';
import { DiagnosticsChannel, type LinkStateMessage } from '../diagnostics.js';
import type { ExecutionMode } from '../registry/link-definition.js';
import { errorMessage } from '../runtime/failure-policy.js';
import type { LinkHandle } from '../runtime/link-handle.js';
import type { Transport, TransportFactory } from '../transport/transport.js';
import { ANNOUNCEMENT_FORMAT, INSTANCES_TOPIC, encodeAnnouncement, type AnnouncedState, type InstanceAnnouncement } from './announcement.js';
import { InstanceCounters } from './instance-counters.js';

/** How often an instance announces itself while it runs, by default: six times a minute. */
export const DEFAULT_ANNOUNCE_INTERVAL_MS = 10_000;

// Compacted by uid (a reader finds each instance's last word), and old records deleted: a reader
// starting from the beginning reads at most this much history.
const TOPIC_CONFIG = { 'cleanup.policy': 'compact,delete', 'retention.ms': String(60 * 60_000), 'segment.ms': String(10 * 60_000) };

/** What an announcement says of the link beyond what its handle knows. */
export interface AnnouncedLink {
  mode: ExecutionMode;
  output: string | undefined;
  rpcMethods: readonly string[];
  /** A link with tables and `@Rpc()` methods also reads calls by key, with its inputs. */
  hasTables: boolean;
}

/**
 * Announces one link instance on {@link INSTANCES_TOPIC}: as it starts running, every
 * `intervalMs` while it runs, as it starts stopping and once stopped (best effort: a process may
 * exit before that last one is delivered). It has a producer of its own, so an announcement never
 * waits behind the link's outputs nor joins its transactions, and a failed one is logged, never
 * fatal. Its figures come from the diagnostics channels ({@link InstanceCounters}).
 */
export class Announcer {
  readonly #handle: LinkHandle;
  readonly #link: AnnouncedLink;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #counters: InstanceCounters;
  readonly #transport: Transport;
  readonly #host = hostname();
  readonly #startedAt = Date.now();
  #ready: Promise<boolean> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #hasWarned = false;
  #closing: Promise<void> | undefined;
  #hasRun = false;
  readonly #onState = (message: unknown) => this.#state(message as LinkStateMessage);

  constructor(handle: LinkHandle, link: AnnouncedLink, factory: TransportFactory, intervalMs: number, logger: Logger) {
    this.#handle = handle;
    this.#link = link;
    this.#intervalMs = intervalMs;
    this.#logger = logger;
    const readsCalls = link.hasTables && link.rpcMethods.length > 0;
    // A batch fetched just before an input is added or removed is counted on the inputs of now.
    const onlyInput = () => (readsCalls || handle.inputs.length !== 1 ? undefined : handle.inputs[0]);
    this.#counters = new InstanceCounters(handle.name, handle.uid, `${handle.name}-${handle.uid}`, onlyInput);
    this.#transport = factory.create({ clientId: `${handle.name}-${handle.uid}-announce` });
    // Before the link's transport connects: its consumer asks for lag statistics only if someone listens.
    this.#counters.attach();
    subscribe(DiagnosticsChannel.state, this.#onState);
  }

  /** What the instance would announce now, in `state`. */
  describe(state: AnnouncedState, now = Date.now()): InstanceAnnouncement {
    const handle = this.#handle;
    const figures = this.#counters.snapshot(now);
    const outputs = new Set<string>(this.#link.output === undefined ? [] : [this.#link.output]);
    for (const topic of this.#counters.outputTopics) outputs.add(topic);
    return {
      format: ANNOUNCEMENT_FORMAT,
      link: handle.name,
      uid: handle.uid,
      host: this.#host,
      pid: process.pid,
      state,
      at: now,
      startedAt: this.#startedAt,
      intervalMs: this.#intervalMs,
      version: CORE_VERSION,
      mode: this.#link.mode,
      consumerGroup: handle.consumerGroup ?? null,
      inputs: [...handle.inputs],
      outputs: [...outputs],
      partitions: figures.partitions,
      rpcMethods: [...this.#link.rpcMethods],
      ...(figures.tables === undefined ? {} : { tables: figures.tables }),
      isRestoring: figures.isRestoring,
      in: figures.in,
      out: figures.out,
      errors: figures.errors,
      deadLetters: figures.deadLetters,
      deliveryErrors: figures.deliveryErrors,
      recentErrors: figures.recentErrors,
      lag: figures.lag,
      rpcServed: figures.rpcServed,
    };
  }

  /** Sends one announcement; resolves once the broker acknowledged it (false when it could not). */
  async announce(state: AnnouncedState): Promise<boolean> {
    if (!(await this.#connect())) return false;
    const value = encodeAnnouncement(this.describe(state));
    return new Promise((resolve) => {
      this.#transport.produce([{ topic: INSTANCES_TOPIC, partition: undefined, key: this.#handle.uid, value, headers: undefined, timestamp: undefined }], (err) => {
        if (err) this.#warn(`announcing on ${INSTANCES_TOPIC} failed: ${errorMessage(err)}`);
        resolve(err === null);
      });
    });
  }

  /** Stops announcing and counting, and closes the producer. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      unsubscribe(DiagnosticsChannel.state, this.#onState);
      this.#counters.detach();
      await this.#transport.close().catch(() => undefined);
    })();
    return this.#closing;
  }

  #state({ link, uid, state }: LinkStateMessage): void {
    if (link !== this.#handle.name || uid !== this.#handle.uid || this.#closing !== undefined) return;
    if (state === 'running') {
      this.#hasRun = true;
      void this.announce('running');
      this.#timer = setInterval(() => void this.announce('running'), this.#intervalMs);
      this.#timer.unref();
      return;
    }
    clearInterval(this.#timer);
    // An instance that never ran (its start failed) has nothing to take back.
    if (state === 'stopping') {
      if (this.#hasRun) void this.announce('stopping');
    } else if (this.#hasRun) void this.announce('stopped').then(() => this.close());
    else void this.close();
  }

  #connect(): Promise<boolean> {
    this.#ready ??= (async () => {
      try {
        await this.#transport.connect();
        await this.#transport.ensureTopics([{ topic: INSTANCES_TOPIC, partitions: 1, config: TOPIC_CONFIG }]);
        return true;
      } catch (err) {
        this.#ready = undefined; // the next announcement tries again
        this.#warn(`cannot announce on ${INSTANCES_TOPIC}: ${errorMessage(err)}`);
        return false;
      }
    })();
    return this.#ready;
  }

  // One warning, then debug lines: the link runs on without being seen, and its log stays readable.
  #warn(line: string): void {
    if (this.#hasWarned) this.#logger.debug(line);
    else this.#logger.warn(`${line} (the dashboard will not see this instance until it succeeds)`);
    this.#hasWarned = true;
  }
}

/**
 * Starts announcing an instance that is about to start, unless `intervalMs` is 0. Default: every
 * {@link DEFAULT_ANNOUNCE_INTERVAL_MS} on Kafka; never on the embedded broker (nothing outside the
 * process could read it) unless asked for. The announcer follows the instance's lifecycle and
 * closes itself once the instance stopped.
 */
export function announceInstance(
  handle: LinkHandle,
  link: AnnouncedLink,
  factory: TransportFactory,
  intervalMs: number | undefined,
  logger: Logger,
): Announcer | undefined {
  const interval = intervalMs ?? (factory.kind === 'kafka' ? DEFAULT_ANNOUNCE_INTERVAL_MS : 0);
  if (!Number.isFinite(interval) || interval < 0) {
    throw new CatenaeError(ErrorCode.BadFlag, `--announce-interval ${interval} is not a number of milliseconds (0 turns announcements off)`);
  }
  return interval === 0 ? undefined : new Announcer(handle, link, factory, interval, logger);
}

const CORE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
