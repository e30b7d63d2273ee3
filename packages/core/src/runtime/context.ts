import type { Logger } from 'winston';
import type { Store } from '../store/store.js';
import type { KeyedTable, TableKey } from '../state/keyed-table.js';
import type { WindowedTable } from '../state/windowed-table.js';

/** A table as `ctx.tables` holds it: keyed, or windowed. */
export type AnyTable = KeyedTable<TableKey, any> | WindowedTable<TableKey, any>;
import type { RpcClient } from './rpc/rpc-client.js';
import type { RpcCaller } from './rpc/rpc-envelope.js';

/** Options of {@link Context.send}. */
export interface SendOptions {
  /**
   * Runs once the broker acknowledged this output (`err` null) or failed to. Inside an
   * exactly-once transaction it runs once the output is in the transaction: the transaction's
   * commit, which waits for every acknowledgement, is what makes it visible.
   */
  onDelivered?: (err: Error | null) => void;
  /** Return a promise that settles on the broker's acknowledgement of this output (see `onDelivered`). */
  sync?: boolean;
}

/** Options of {@link Context.loop}. */
export interface LoopOptions {
  /** Pause between the end of one call and the start of the next, in milliseconds. */
  intervalMs: number;
}

/** What the context asks of the running link; implemented by the runtime. */
export interface LinkControl {
  send(value: unknown, topic: string | undefined, options: SendOptions | undefined): Promise<void> | undefined;
  loop(fn: (ctx: Context) => unknown, options: LoopOptions): void;
  readonly inputs: readonly string[];
  addInput(topic: string): Promise<void>;
  removeInput(topic: string): Promise<void>;
  stopLink(reason: string | undefined): void;
  readonly rpc: RpcClient;
}

/**
 * What a link's methods receive besides their input: how to send, the link's identity, its
 * logger and its stores.
 * @publicApi
 */
export class Context {
  /** This instance's id: `$HOSTNAME` in a container, else 12 random hex digits. */
  readonly uid: string;
  readonly linkName: string;
  /** The consumer group this instance reads in (undefined for a pure source). */
  readonly consumerGroup: string | undefined;
  /** winston logger whose lines carry the link name and uid. */
  readonly logger: Logger;
  /** Unparsed extra command-line arguments. */
  readonly args: readonly string[];
  /** The MongoDB store, when the link was started with `-m`. */
  mongodb: Store | undefined = undefined;
  /** The Aerospike store, when the link was started with `-a`. */
  aerospike: Store | undefined = undefined;
  /** In an `@Rpc()` method: the link instance that called it. */
  readonly caller: RpcCaller | undefined;
  /** The link's tables by name (`@Table()` properties and `defineLink({ tables })`). */
  readonly tables: Readonly<Record<string, AnyTable>>;
  readonly #control: LinkControl;

  constructor(
    init: {
      uid: string;
      linkName: string;
      consumerGroup: string | undefined;
      logger: Logger;
      args: readonly string[];
      caller?: RpcCaller;
      tables?: Readonly<Record<string, AnyTable>>;
    },
    control: LinkControl,
  ) {
    this.caller = init.caller;
    this.tables = init.tables ?? {};
    this.uid = init.uid;
    this.linkName = init.linkName;
    this.consumerGroup = init.consumerGroup;
    this.logger = init.logger;
    this.args = init.args;
    this.#control = control;
  }

  /**
   * Emits a value or an `Electron` to `topic` (else the electron's topic, else the default output).
   * An array sends each of its items. With `options.sync` the returned promise settles once the
   * broker acknowledged every item; with `options.onDelivered` the callback runs once per item.
   */
  send(value: unknown, topic?: string, options?: SendOptions): Promise<void> | undefined {
    if (!Array.isArray(value)) return this.#control.send(value, topic, options);
    if (options?.sync) return Promise.all(value.map((item) => this.#control.send(item, topic, options))).then(() => undefined);
    for (const item of value) this.#control.send(item, topic, options);
    return undefined;
  }

  /** Calls `fn` repeatedly, `intervalMs` apart, between `setup` and `finish`. */
  loop(fn: (ctx: Context) => unknown, options: LoopOptions): void {
    this.#control.loop(fn, options);
  }

  /** The topics this instance reads now. */
  get inputs(): readonly string[] {
    return this.#control.inputs;
  }

  /** Starts reading `topic` with the default handler. */
  addInput(topic: string): Promise<void> {
    return this.#control.addInput(topic);
  }

  /** Stops reading `topic`. */
  removeInput(topic: string): Promise<void> {
    return this.#control.removeInput(topic);
  }

  /** Calls `@Rpc()` methods of other links: `notify`, `call`, and the typed proxy `to<T>(link)`. */
  get rpc(): RpcClient {
    return this.#control.rpc;
  }

  /** The same context naming `caller`, for an `@Rpc()` method. */
  withCaller(caller: RpcCaller): Context {
    const ctx = new Context(
      { uid: this.uid, linkName: this.linkName, consumerGroup: this.consumerGroup, logger: this.logger, args: this.args, caller, tables: this.tables },
      this.#control,
    );
    ctx.mongodb = this.mongodb;
    ctx.aerospike = this.aerospike;
    return ctx;
  }

  /** Drains, commits what finished, and ends the link with a failure naming `reason`. */
  stop(reason?: string): void {
    this.#control.stopLink(reason);
  }
}
