import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { EmbeddedBroker } from '../broker/embedded-broker.js';
import { EmbeddedTransportFactory } from '../broker/embedded-transport.js';
import { ElectronCodec } from '../codec/electron-codec.js';
import { Electron } from '../electron.js';
import { CatenaeError, ErrorCode } from '../errors.js';
import { checkUniqueNames, resolveLink, type LinkLike } from '../registry/resolve-link.js';
import type { Transport } from '../transport/transport.js';
import type { LinkHandle } from '../runtime/link-handle.js';
import { startLink } from '../runtime/start-link.js';
import { RpcEndpoint } from '../runtime/rpc/rpc-endpoint.js';
import type { CallOptions, RpcTarget } from '../runtime/rpc/rpc-client.js';
import { createLogger } from '../runtime/create-logger.js';
import type { StartOptions } from '../runtime/start-options.js';
import { AdvancingClock } from './advancing-clock.js';
import type { AnyTable } from '../runtime/context.js';
import type { TimeWindow } from '../state/window-entry.js';
import { WindowedShardedTable } from '../state/windowed-table.js';

function isWindowed(table: AnyTable): boolean {
  return table instanceof WindowedShardedTable;
}

/** Options of {@link TestDriver.start}. */
export interface TestDriverOptions {
  /** Start options per link name (inputs, output, mode, ...), as the CLI flags would give them. */
  links?: Record<string, StartOptions>;
  /** Instances to start per link name (default 1); they share the link's consumer group. */
  instances?: Record<string, number>;
  /** The broker to run on (default: a new one with 4 partitions per topic). */
  broker?: EmbeddedBroker;
  /** How long {@link TestDriver.drain} waits before it fails, in milliseconds (default 10000). */
  drainTimeoutMs?: number;
}

/**
 * Runs links in this process on an {@link EmbeddedBroker}, for unit tests: the real runtime
 * (scheduler, codecs, commits, consumer groups), with only the broker swapped. No Kafka needed.
 *
 * ```ts
 * import { test } from 'node:test';
 * import assert from 'node:assert/strict';
 * import { TestDriver } from '@catenae/core';
 * import { Mapper } from './mapper.js';
 *
 * test('the mapper counts words', async () => {
 *   const driver = await TestDriver.start([Mapper], { links: { Mapper: { inputs: ['lines'], output: 'pairs' } } });
 *   await driver.send('lines', 'a b a');
 *   await driver.drain();
 *   assert.deepEqual(driver.read('pairs').map((e) => [e.key, e.value]), [['a', 2], ['b', 1]]);
 *   await driver.close();
 * });
 * ```
 * Links are started in the order given, each instance with its own uid. `send` writes to a topic
 * as an outside producer would; `drain` waits until every electron in flight is handled and its
 * outputs delivered; `read` returns everything produced on a topic so far, decoded.
 * @publicApi
 */
export class TestDriver {
  /** The broker the links run on: inspect topics, offsets and groups through it. */
  readonly broker: EmbeddedBroker;
  readonly #handles: LinkHandle[];
  readonly #producer: Transport;
  readonly #codec = new ElectronCodec({});
  readonly #drainTimeoutMs: number;
  readonly #rpc: RpcEndpoint;
  readonly #clock: AdvancingClock;
  #isClosed = false;

  private constructor(broker: EmbeddedBroker, handles: LinkHandle[], drainTimeoutMs: number, clock: AdvancingClock) {
    this.#clock = clock;
    this.broker = broker;
    this.#handles = handles;
    this.#producer = new EmbeddedTransportFactory(broker).create({ clientId: 'test-driver' });
    this.#drainTimeoutMs = drainTimeoutMs;
    const self = { uid: `test-driver-${randomBytes(4).toString('hex')}`, link: 'TestDriver' };
    const refuse = (): never => {
      throw new CatenaeError(ErrorCode.RpcUnknownMethod, 'the TestDriver has no @Rpc() methods');
    };
    this.#rpc = new RpcEndpoint({ self, instance: {}, rpcMethods: [], contextFor: refuse, runExclusive: (fn) => fn() }, new EmbeddedTransportFactory(broker), createLogger('warn', 'pretty', 'TestDriver', self.uid));
  }

  /** Starts the links (each instance resolved once it consumes) and returns the driver. */
  static async start(links: LinkLike[], options: TestDriverOptions = {}): Promise<TestDriver> {
    const definitions = links.map((link) => resolveLink(link));
    checkUniqueNames(definitions);
    const broker = options.broker ?? new EmbeddedBroker();
    const factory = new EmbeddedTransportFactory(broker);
    const clock = new AdvancingClock();
    const handles: LinkHandle[] = [];
    try {
      for (const definition of definitions) {
        const count = options.instances?.[definition.name] ?? 1;
        for (let i = 0; i < count; i++) {
          // Each instance gets an id of its own, even in a container where $HOSTNAME would be shared.
          const uid = randomBytes(6).toString('hex');
          handles.push(await startLink(definition, { logLevel: 'warn', uid, clock, ...options.links?.[definition.name], transport: factory }));
        }
      }
    } catch (err) {
      await Promise.all(handles.map((handle) => handle.stop()));
      throw err;
    }
    const driver = new TestDriver(broker, handles, options.drainTimeoutMs ?? 10_000, clock);
    await driver.#producer.connect();
    return driver;
  }

  /** The running instances of a link. */
  instances(linkName: string): LinkHandle[] {
    return this.#handles.filter((handle) => handle.name === linkName);
  }

  /** Writes a value (or an Electron, with its key and headers) to `topic`, as an outside producer would. */
  send(topic: string, value: unknown): Promise<void> {
    this.#checkOpen();
    const electron = value instanceof Electron ? value : undefined;
    const record = electron
      ? this.#codec.encode(electron.value, electron.key, topic, electron.headers, electron.timestamp)
      : this.#codec.encode(value, null, topic, undefined, undefined);
    return new Promise((resolve, reject) => this.#producer.produce([record], (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Resolves once nothing is in flight: every record is fetched, every electron handled, every
   * output acknowledged, and offsets committed.
   * @throws CatenaeError `CATENAE_CLOSED` after `timeoutMs` if the links never settle.
   */
  async drain(timeoutMs = this.#drainTimeoutMs): Promise<void> {
    this.#checkOpen();
    const deadline = Date.now() + timeoutMs;
    let quietTurns = 0;
    while (quietTurns < 3) {
      await nextTurn();
      const isQuiet = this.broker.idle() && this.#handles.every((handle) => handle.isIdle());
      quietTurns = isQuiet ? quietTurns + 1 : 0;
      if (Date.now() > deadline) {
        const busy = this.#handles.filter((handle) => !handle.isIdle()).map((handle) => `${handle.name}(${handle.uid})`);
        throw new CatenaeError(
          ErrorCode.Closed,
          `drain: still busy after ${timeoutMs} ms (links: ${busy.join(', ') || 'none'}; broker idle: ${this.broker.idle()})`,
        );
      }
    }
    await Promise.all(this.#handles.map((handle) => handle.commitNow()));
  }

  /**
   * What the instances of `linkName` hold in their table `table` now, merged over the shards
   * (each key lives in one shard). Read it after `drain()`.
   * @throws CatenaeError `CATENAE_BAD_LINK` when no instance of the link runs here or it has no such table.
   */
  table<K = unknown, V = unknown>(linkName: string, table: string): Map<K, V> {
    const merged = new Map<K, V>();
    for (const found of this.#tablesOf(linkName, table)) {
      if (isWindowed(found)) throw new CatenaeError(ErrorCode.BadLink, `table ${table} of link ${linkName} is windowed: read it with driver.windows('${linkName}', '${table}')`);
      for (const [key, value] of found.entries()) merged.set(key as K, value as V);
    }
    return merged;
  }

  /**
   * Every window the instances of `linkName` hold in their windowed table `table`, open or closed
   * (until their retention), as `[key, window, value]`, ordered by key then window start.
   * @throws CatenaeError `CATENAE_BAD_LINK` when no instance of the link runs here or it has no such windowed table.
   */
  windows<K = unknown, V = unknown>(linkName: string, table: string): [K, TimeWindow, V][] {
    const all: [K, TimeWindow, V][] = [];
    for (const found of this.#tablesOf(linkName, table)) {
      if (!isWindowed(found)) throw new CatenaeError(ErrorCode.BadLink, `table ${table} of link ${linkName} is not windowed: read it with driver.table('${linkName}', '${table}')`);
      for (const entry of found.entries()) all.push(entry as [K, TimeWindow, V]);
    }
    return all.sort((a, b) => String(a[0]).localeCompare(String(b[0])) || a[1].start - b[1].start);
  }

  #tablesOf(linkName: string, table: string): AnyTable[] {
    const instances = this.instances(linkName);
    if (instances.length === 0) throw new CatenaeError(ErrorCode.BadLink, `no link named "${linkName}" runs in this driver`);
    return instances.map((handle) => {
      const found = handle.ctx.tables[table];
      if (found === undefined) throw new CatenaeError(ErrorCode.BadLink, `link ${linkName} has no table "${table}" (it has: ${Object.keys(handle.ctx.tables).join(', ') || 'none'})`);
      return found;
    });
  }

  /**
   * Moves the links' wall clock `ms` forward: loops and interval generators due by then run, and
   * windows of partitions idle that long close (`window.idleClose`). Stream time does not move:
   * it follows the timestamps of the electrons sent. Follow with `drain()`.
   */
  async advanceTime(ms: number): Promise<void> {
    this.#checkOpen();
    if (!(Number.isFinite(ms) && ms >= 0)) throw new CatenaeError(ErrorCode.BadFlag, `advanceTime(${ms}): expected milliseconds >= 0`);
    this.#clock.advance(ms);
    await nextTurn();
  }

  /** The links' wall clock now: real time plus what `advanceTime` added. */
  now(): number {
    return this.#clock.now();
  }

  /** Every electron produced on `topic` so far, decoded, in the order they were appended. */
  read<V = unknown>(topic: string): Electron<V>[] {
    return this.broker.topicRecords(topic).map((record) => {
      const electron = this.#codec.decode(record) as Electron<V>;
      electron.topic = topic;
      return electron;
    });
  }

  /**
   * Calls an `@Rpc()` method over the broker, exactly as another link's `ctx.rpc.call` would, and
   * resolves to its result: on one instance of a link (`'Reducer'`), or on the instance that owns
   * a key (`{ link: 'Reducer', key: 'word' }`, for links with tables).
   * @throws CatenaeError `CATENAE_RPC_UNKNOWN_METHOD` when the method is not marked `@Rpc()`, the
   *   remote error as `CATENAE_RPC_FAILED`, `CATENAE_RPC_TIMEOUT` without a reply.
   */
  async rpc(to: string | { link: string; key?: string | number }, method: string, args?: unknown, options?: CallOptions): Promise<unknown> {
    this.#checkOpen();
    const linkName = typeof to === 'string' ? to : to.link;
    if (this.instances(linkName).length === 0) throw new CatenaeError(ErrorCode.RpcUnknownMethod, `no link named "${linkName}" runs in this driver`);
    return this.#rpc.client.call(typeof to === 'string' ? linkName : to, method, args, options);
  }

  /** Sends an RPC notification as another link would: to a link's instances, one uid, or `'broadcast'`. */
  async notify(to: RpcTarget, method: string, args?: unknown): Promise<void> {
    this.#checkOpen();
    await this.#rpc.client.notify(to, method, args);
  }

  /** Stops every link (drain, commit, `finish`) and the driver. Idempotent. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    await Promise.all(this.#handles.map((handle) => handle.stop()));
    await this.#rpc.stop();
    await this.#producer.close();
  }

  #checkOpen(): void {
    if (this.#isClosed) throw new CatenaeError(ErrorCode.Closed, 'the TestDriver is closed');
  }
}
