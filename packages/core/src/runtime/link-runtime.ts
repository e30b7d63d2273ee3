import type { Logger } from 'winston';
import { ElectronCodec } from '../codec/electron-codec.js';
import { CatenaeError, ErrorCode, isCatenaeError } from '../errors.js';
import type { LinkDefinition } from '../registry/link-definition.js';
import type { RawRecord, TopicPartition } from '../transport/records.js';
import { describePartitions, nextOffsets } from './partition-offsets.js';
import { sendRecord } from './send-record.js';
import { TRANSACTION_MEMBERSHIP_LOST, type Transport, type TransportFactory } from '../transport/transport.js';
import { CommitTracker } from './commit-tracker.js';
import { ConsumeLoop } from './consume-loop.js';
import { Context, type LinkControl, type LoopOptions, type SendOptions } from './context.js';
import { Dispatcher } from './dispatch.js';
import { Emitter } from './emitter.js';
import { FailurePolicy, deadLetterTopics, errorMessage } from './failure-policy.js';
import { HandlerTable } from './handler-table.js';
import type { LinkExit, LinkHandle } from './link-handle.js';
import type { LinkSettings } from './link-settings.js';
import { Scheduler } from './scheduler.js';
import { SourceRunner } from './source-runner.js';
import { withDeadline } from './with-deadline.js';
import { logTransportEvents } from './transport-log.js';
import { lateChannel, rebalanceChannel, stateChannel, type LinkStateMessage } from '../diagnostics.js';
import { createInputSelector } from './input-modes/create-input-selector.js';
import type { InputSelector } from './input-modes/input-selector.js';
import { RpcEndpoint } from './rpc/rpc-endpoint.js';
import type { RpcClient } from './rpc/rpc-client.js';
import { closeStores, connectStores } from './link-stores.js';
import { WorkerPool } from './workers/worker-pool.js';
import { LinkTables } from '../state/link-tables.js';
import type { StateStoreFactory } from '../state/state-store.js';
import { PartitionGate } from './partition-gate.js';
import { TablePartitions } from './table-partitions.js';
import { settledWithin } from './with-deadline.js';
import type { Handler } from './dispatch.js';
import { linkKeyedTopic } from './rpc/rpc-topics.js';
import { systemClock, type Clock } from './clock.js';
import { runWindowClosed } from './window-closed.js';
import { Electron } from '../electron.js';
import { WindowedShardedTable } from '../state/windowed-table.js';
import { checkHasWork, setupFailure } from './start-checks.js';
import { exitAfterDrain } from './shutdown-outcome.js';
import { errorFields } from './error-fields.js';
import { describeBroker } from './describe-broker.js';
import { AssignmentWait } from './assignment-wait.js';
import { RevokedPartitions } from './revoked-partitions.js';

const MAX_BATCH = 2000;
// A batch of the synchronous and exactly-once modes is one round trip to the broker (and one
// transaction) before the next fetch: under a backlog, larger batches share that cost, and the
// table changes of a transaction are coalesced over more electrons.
const MAX_SERIAL_BATCH = 10_000;
const FETCH_WAIT_MS = 100;
const MAX_UNACKED_RECORDS = 50_000;
// Frequent enough that a crash replays little; a commit is one cheap request per interval.
const COMMIT_INTERVAL_MS = 250;
const REVOKE_DRAIN_MS = 5000;
// A commit first waits for the transaction's records to be delivered (a record with no leader
// fails after librdkafka's message.timeout.ms, capped to transaction.timeout.ms: 60 s), then may
// redo the transaction once (the records again, maybe on a new producer): room for both. Kafka
// aborts a transaction open longer than transaction.timeout.ms, each attempt being one of its own.
const TRANSACTION_TIMEOUT_MS = 120_000;
// An instance that starts while the transaction coordinator moves (a broker just lost) waits for
// it as for the cluster, longer than a transaction may stay open.
const TRANSACTIONS_INIT_TIMEOUT_MS = 120_000;
// After a transaction failed because the group no longer counts this member, how long the
// consumer may take to notice it and revoke the partitions (its next heartbeat, normally).
const REJOIN_WAIT_MS = 60_000;
// Table sizes are published every this many commit ticks (5 s).
const SIZE_TICKS = 20;

/**
 * One running instance of a link: its transport, codec, scheduler, emitter, commit tracker and
 * sources, wired together, with the lifecycle setup → sources and inputs → drain → finish → close.
 */
export class LinkRuntime implements LinkControl, LinkHandle {
  readonly name: string;
  readonly uid: string;
  readonly consumerGroup: string | undefined;
  readonly instance: object;
  readonly ctx: Context;
  readonly done: Promise<LinkExit>;
  readonly #settings: LinkSettings;
  readonly #definition: LinkDefinition;
  readonly #logger: Logger;
  readonly #transport: Transport;
  readonly #tracker = new CommitTracker();
  readonly #emitter: Emitter;
  readonly #dispatcher: Dispatcher;
  readonly #scheduler: Scheduler;
  readonly #sources: SourceRunner;
  readonly #handlers: HandlerTable;
  readonly #consumeLoop: ConsumeLoop;
  readonly #rpc: RpcEndpoint;
  readonly #selector: InputSelector;
  /** The `--workers` threads that run the handlers, if any. */
  readonly #pool: WorkerPool | undefined;
  /** The partitions this instance owns now. */
  readonly #assignment = new Map<string, TopicPartition>();
  readonly #gate: PartitionGate;
  /** The link's tables, when it declares any, and how they follow the partitions. */
  readonly #tables: LinkTables | undefined;
  readonly #tablePartitions: TablePartitions | undefined;
  /** The synchronous and exactly-once modes: the batch being handled (a revoke waits for it). */
  #batchInFlight: Promise<void> | undefined;
  /** Revokes running now: an exactly-once transaction stops fetching more (see #extendTransaction). */
  #revokesInProgress = 0;
  readonly #revokedInTransaction = new RevokedPartitions();
  /** A link with tables and `@Rpc()` methods reads calls by key with its input, and their handler. */
  #keyed: { topic: string; handler: Handler } | undefined;
  #ticks = 0;
  #resolveDone!: (exit: LinkExit) => void;
  #stopping: Promise<LinkExit> | undefined;
  #commitTimer: NodeJS.Timeout | undefined;
  #commitChain: Promise<void> = Promise.resolve();
  #isSubscribed = false;
  #drainWaiter: (() => void) | undefined;
  #handledWaiters: (() => void)[] = [];
  #stopErrorLog: () => void = () => undefined;
  #hasFailed = false;
  /** Whether a shutdown still lets in-flight handlers emit (draining), or already refuses sends. */
  #isDraining = false;
  /** Where it runs, for the `started` line. */
  readonly #broker: string;
  readonly #assignmentWait: AssignmentWait;

  constructor(definition: LinkDefinition, settings: LinkSettings, factory: TransportFactory, logger: Logger, stateStore?: StateStoreFactory, clock: Clock = systemClock) {
    this.#settings = settings;
    this.#definition = definition;
    this.#logger = logger;
    this.name = settings.name;
    this.uid = settings.uid;
    this.#broker = describeBroker(factory);
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    this.instance = definition.create();
    if (definition.tables.length > 0 && settings.workers > 0) {
      throw new CatenaeError(
        ErrorCode.BadFlag,
        `--workers ${settings.workers} cannot run link ${settings.name}: its tables (${definition.tables.map((t) => t.name).join(', ')}) live in the main thread; scale it with more instances instead`,
      );
    }
    this.#pool = settings.workers > 0 && definition.transforms.length > 0 ? new WorkerPool(definition, settings, { logger, control: this, onFatal: (err) => void this.#fail(err) }) : undefined;
    this.#handlers = new HandlerTable(definition, this.#pool?.handlerMethods(definition, (item) => this.#dispatcher.emit(item, undefined)) ?? this.instance, settings.inputs);
    this.consumerGroup = this.#handlers.hasHandlers ? settings.consumerGroup : undefined;
    this.#assignmentWait = new AssignmentWait(logger, settings.consumerGroup);
    this.#transport = factory.create({
      clientId: `${settings.name}-${settings.uid}`,
      groupId: this.consumerGroup,
      // Every mode that keeps keys in order: a produce request retried after a broker restart
      // would otherwise land behind later ones (a rolling restart put 3 keys out of order in sequential).
      idempotent: settings.mode !== 'async',
      transactional: settings.mode === 'exactly-once',
      // These modes wait for acknowledgements before going on: make them come quickly.
      lowLatency: settings.mode === 'synchronous' || settings.mode === 'exactly-once',
      // A table's changelog offsets follow the order records were produced in (see Shard), and
      // its shard p covers partition p of every input.
      ...(definition.tables.length > 0 ? { idempotent: true, copartitioned: true } : {}),
    });
    const fatal = (err: Error) => void this.#fail(err);
    this.#emitter = new Emitter(this.#transport, () => this.#progress(), fatal, settings.name);
    this.#gate = new PartitionGate(this.#transport);
    this.#tables =
      definition.tables.length > 0
        ? new LinkTables({
            specs: definition.tables,
            link: settings.name,
            uid: settings.uid,
            group: settings.consumerGroup,
            codec: settings.codec,
            schemas: settings.schemas,
            isTransactional: settings.mode === 'exactly-once',
            hasAsyncHandlers: this.#handlers.hasAsyncHandlers || definition.rpcMethods.length > 0,
            store: stateStore,
            logger,
            scheduleFlush: () => this.#emitter.scheduleFlush(),
            now: () => clock.now(),
            onWindowClosed: (table, key, window, value) => runWindowClosed(definition, this.instance, this.ctx, (item) => this.#dispatcher.emit(item, undefined), table, key, window, value),
            onLate: (electron, tables) => this.#late(electron, tables),
            handledOffsets: settings.mode === 'exactly-once' ? undefined : (partition) => this.#tracker.handledOffsets(partition),
          })
        : undefined;
    for (const { table, method } of definition.windowClosed) {
      if (!(this.#tables?.byName[table] instanceof WindowedShardedTable)) {
        const windowed = this.#tables?.windowed.map((w) => w.name).join(', ') || 'none';
        throw new CatenaeError(ErrorCode.BadLink, `link ${settings.name}: @WindowClosed('${table}') on ${method}() names no windowed table (windowed tables: ${windowed})`);
      }
    }
    if (this.#tables !== undefined) {
      this.#emitter.carry(this.#tables);
      this.#tablePartitions = new TablePartitions(this.#tables, this.#transport, this.#gate, settings.name, logger, fatal);
      for (const spec of definition.tables) if (spec.property !== undefined) (this.instance as Record<string, unknown>)[spec.property] = this.#tables.byName[spec.name];
    }
    this.ctx = new Context({ uid: this.uid, linkName: this.name, consumerGroup: this.consumerGroup, logger, args: settings.args, tables: this.#tables?.byName }, this);
    const codec = new ElectronCodec(settings);
    this.#dispatcher = new Dispatcher(this.instance, this.ctx, codec, this.#emitter, settings.output, settings.name, settings.mode !== 'async', this.#tables);
    this.#scheduler = new Scheduler({
      dispatcher: this.#dispatcher,
      emitter: this.#emitter,
      policy: new FailurePolicy(settings.onError, settings.retries, settings.retryBackoffMs),
      logger,
      concurrency: settings.concurrency,
      linkName: settings.name,
      dropsRevoked: settings.mode === 'async' || settings.mode === 'sequential',
      onSettled: () => {
        this.#emitter.scheduleFlush();
        this.#progress();
      },
      onFatal: fatal,
    });
    this.#sources = new SourceRunner({
      clock,
      ctx: this.ctx,
      dispatcher: this.#dispatcher,
      emitter: this.#emitter,
      logger,
      maxUnackedRecords: MAX_UNACKED_RECORDS,
      // A one-shot generator that threw did not do its job: nothing to retry or dead-letter.
      onError: (err, isFatal) => {
        if (isFatal || settings.onError === 'exit') void this.#fail(err);
      },
    });
    this.#rpc = new RpcEndpoint(
      {
        self: { uid: settings.uid, link: settings.name },
        instance: this.instance,
        rpcMethods: definition.rpcMethods,
        contextFor: (caller) => this.ctx.withCaller(caller),
        runExclusive: (fn) => this.#scheduler.runExclusive(fn),
      },
      factory,
      logger,
    );
    for (const generator of definition.generators) this.#sources.addGenerator(this.instance, generator.method, generator.interval);
    this.#keyed =
      this.#tables !== undefined && definition.rpcMethods.length > 0
        ? {
            topic: linkKeyedTopic(settings.name),
            // An `@Rpc()` method called by key runs as an electron of the key's partition: after the
            // electrons of that key before it, with the shard of that partition.
            handler: {
              method: 'rpc by key',
              kind: 'plain',
              isAsync: true,
              fn: (electron) => this.#rpc.serveKeyed(electron.value, { topic: electron.previousTopic!, partition: electron.partition!, offset: electron.offset! }),
            },
          }
        : undefined;
    this.#selector = createInputSelector(settings, this.#gate, this.#inputTopics());
    this.#consumeLoop = new ConsumeLoop(
      { transport: this.#transport, codec, tracker: this.#tracker, scheduler: this.#scheduler, emitter: this.#emitter, logger, selector: this.#selector, linkName: settings.name },
      this.#routing(),
      {
        maxBatch: settings.mode === 'exactly-once' || settings.mode === 'synchronous' ? MAX_SERIAL_BATCH : MAX_BATCH,
        fetchWaitMs: FETCH_WAIT_MS,
        maxUnackedRecords: MAX_UNACKED_RECORDS,
        consumerTimeoutMs: settings.consumerTimeoutMs,
        onConsumerTimeout: () => {
          logger.info(`no input for ${settings.consumerTimeoutMs} ms (--consumer-timeout): stopping`);
          void this.stop();
        },
        onIdle: this.#tables?.windowed.length ? () => this.#closeIdleWindows() : undefined,
        aroundBatch:
          settings.mode === 'exactly-once'
            ? (records, handle) => this.#aroundBatch(this.#transaction(records, handle))
            : settings.mode === 'synchronous'
              ? (_, handle) => this.#aroundBatch(this.#synchronousBatch(handle))
              : undefined,
      },
    );
  }

  get inputs(): readonly string[] {
    return this.#handlers.topics;
  }

  /** Connects, creates topics, runs `setup`, then starts the sources and the consume loop. */
  async start(): Promise<void> {
    const settings = this.#settings;
    this.#stopErrorLog = logTransportEvents(`${settings.name}-${settings.uid}`, this.#logger);
    await this.#transport.connect();
    if (settings.mode === 'exactly-once') {
      if (!this.#transport.transactions) throw new CatenaeError(ErrorCode.BadFlag, `--mode exactly-once needs a transport with transactions (Kafka or the embedded broker)`);
      await this.#transport.transactions.init(TRANSACTIONS_INIT_TIMEOUT_MS);
    }
    const topics = this.#handlers.topics.map((topic) => ({ topic }));
    if (settings.output) topics.push({ topic: settings.output });
    topics.push(...deadLetterTopics(this.#handlers.topics, settings.onError));
    if (topics.length > 0) await this.#transport.ensureTopics(topics);
    const prepared = await this.#tablePartitions?.prepare(this.#handlers.topics, this.#keyed?.topic);
    if (prepared?.takesCallsByKey === false) this.#keyed = undefined;
    await connectStores(this.ctx, settings, this.#logger);
    const setup = (this.instance as { setup?: Function }).setup;
    if (typeof setup === 'function') {
      try {
        await setup.call(this.instance, this.ctx);
      } catch (err) {
        throw setupFailure(this.name, err);
      }
    }
    if (settings.refuseIdle) {
      checkHasWork(this.name, {
        inputs: this.#handlers.topics,
        hasTransforms: this.#definition.transforms.length > 0,
        hasSources: this.#sources.hasSources,
        hasRpc: this.#definition.rpcMethods.length > 0,
      });
    }
    await this.#pool?.start();
    if (this.#definition.rpcMethods.length > 0) await this.#rpc.start();
    this.#subscribe();
    this.#sources.start();
    if (!this.#handlers.hasHandlers && this.#definition.generators.length > 0 && this.#definition.rpcMethods.length === 0) {
      // A pure source whose generators all returned has nothing left to do: stop cleanly.
      void this.#sources.whenDone().then(() => this.stop('every generator finished'));
    }
    this.#commitTimer = setInterval(() => void this.#tick(), COMMIT_INTERVAL_MS);
    this.#commitTimer.unref();
    this.#publishState('running');
    this.#logger.info(
      `started on ${this.#broker}: inputs [${this.inputs.join(', ')}], output ${settings.output ?? '-'}, group ${this.consumerGroup ?? '-'}, mode ${settings.mode}`,
    );
  }

  // Table changes still pending count as idle: commitNow carries them out.
  isIdle(): boolean {
    const tables = this.#tables;
    return this.#scheduler.pending === 0 && this.#emitter.isQuiet && !this.#sources.hasOneShotsRunning && (tables === undefined || (!tables.isBusy && !tables.hasIdleCloseDue()));
  }

  async commitNow(): Promise<void> {
    // Table changes first: the inputs that made them are committable once they are acknowledged.
    if (this.#tables !== undefined) await this.#emitter.whenIdle();
    return this.#commitFinished();
  }

  /** Commits what finished (processed, and acknowledged with what it emitted) since the last commit. */
  #commitFinished(): Promise<void> {
    // Exactly once: offsets are committed inside the transactions, never by the consumer.
    if (this.#settings.mode === 'exactly-once') return Promise.resolve();
    this.#commitChain = this.#commitChain.then(async () => {
      const offsets = this.#tracker.takeCommittable();
      if (offsets.length === 0) return;
      try {
        await this.#transport.commit(offsets);
      } catch (err) {
        this.#logger.warn(`commit failed (it is retried with the next one): ${errorMessage(err)}`, errorFields(err));
      }
    });
    return this.#commitChain;
  }

  // Every commit interval: commit, then write what became durable to the tables' local stores.
  async #tick(): Promise<void> {
    this.#emitter.flushAll();
    await this.#commitFinished();
    const tables = this.#tables;
    if (tables === undefined) return;
    if (++this.#ticks % SIZE_TICKS === 0) tables.publishSizes();
    await tables.flushStores().catch((err: unknown) => this.#fail(new CatenaeError(ErrorCode.State, `cannot write the tables' local store: ${errorMessage(err)}`, { cause: err })));
  }

  /** Undoes a start that failed half-way, quietly: the caller reports the error. */
  async abortStart(err: Error): Promise<void> {
    this.#stopping ??= Promise.resolve({ ok: false, reason: err.message, error: err });
    clearInterval(this.#commitTimer);
    await Promise.all([this.#sources.stop(), this.#consumeLoop.stop()]);
    await this.#release(5000);
    this.#resolveDone(await this.#stopping);
  }

  /** Stops the workers, RPC, stores and clients, each bounded by `ms`; the last step of every stop. */
  async #release(ms: number): Promise<void> {
    await this.#pool?.stop(ms);
    await withDeadline(this.#rpc.stop(), ms);
    await closeStores(this.ctx, this.#logger);
    await withDeadline(this.#transport.close(), ms);
    // After the transport left the group (its revoke emitted, committed and released the shards).
    await this.#tables?.close().catch((err: unknown) => this.#logger.error(`closing the tables failed: ${errorMessage(err)}`));
    this.#stopErrorLog();
    this.#publishState('stopped');
  }

  /**
   * The exactly-once mode's unit of work: one fetched batch (and those fetched within the
   * transport's `spanMs` after it) handled inside a transaction whose commit carries their
   * offsets. A failed transaction is aborted and stops the link: its input is read again from the
   * last committed transaction on restart.
   */
  async #transaction(records: RawRecord[], handle: () => void): Promise<void> {
    const transactions = this.#transport.transactions!;
    let all = records;
    try {
      this.#revokedInTransaction.reset();
      transactions.begin();
      handle();
      await this.#whenHandled();
      const spanMs = transactions.spanMs ?? 0;
      if (records.length > 0 && spanMs > 0) all = await this.#extendTransaction(records, spanMs);
      if (this.#hasFailed) throw new Error('the link failed during the transaction');
      await transactions.commit(nextOffsets(all), TRANSACTION_TIMEOUT_MS);
      this.#tables?.committed();
    } catch (err) {
      const isAborted = await transactions.abort(TRANSACTION_TIMEOUT_MS).then(
        () => true,
        () => false,
      );
      if (isAborted && (await this.#isHandedBack(all, err))) {
        this.#logger.warn(`transaction aborted (${errorMessage(err)}): its partitions went back to the group, which hands them out again from the last committed transaction`);
        return;
      }
      void this.#fail(new CatenaeError(ErrorCode.Broker, `transaction aborted: ${errorMessage(err)}`, { cause: err }));
    }
  }

  /**
   * Whether a failed, aborted transaction's partitions all went back to the group (this member's
   * session expired, or a rebalance moved on): nothing is then lost, and the link goes on. Not
   * with tables, whose shards hold the aborted changes already.
   */
  #isHandedBack(records: readonly RawRecord[], err: unknown): Promise<boolean> {
    if (this.#tables !== undefined || this.#hasFailed || records.length === 0) return Promise.resolve(false);
    const isMembershipLost = isCatenaeError(err) && err.details?.['transaction'] === TRANSACTION_MEMBERSHIP_LOST;
    return this.#revokedInTransaction.cover(records, isMembershipLost ? REJOIN_WAIT_MS : 0);
  }

  /**
   * Fetches and handles more electrons inside the open transaction until it spans the transport's
   * `spanMs` or MAX_SERIAL_BATCH electrons, nothing more comes, or a revoke, a failure or a stop
   * is under way; resolves with every record of the transaction, handled. On Kafka a transaction
   * per fetch of a few electrons cost the brokers four requests and a marker per partition each.
   */
  async #extendTransaction(first: RawRecord[], spanMs: number): Promise<RawRecord[]> {
    const endsAt = Date.now() + spanMs;
    let all = first;
    for (;;) {
      const left = endsAt - Date.now();
      if (left <= 0 || all.length >= MAX_SERIAL_BATCH || this.#hasFailed || this.#stopping !== undefined || this.#revokesInProgress > 0) return all;
      const more = await this.#consumeLoop.fetchMore(MAX_SERIAL_BATCH - all.length, left);
      if (more.length === 0) return all;
      all = all.concat(more);
      await this.#whenHandled();
    }
  }

  /** Resolves once no electron is being handled and every output is acknowledged. */
  #whenHandled(): Promise<void> {
    this.#emitter.flushAll();
    if (this.#scheduler.pending === 0 && this.#emitter.isIdle) return Promise.resolve();
    return new Promise((resolve) => this.#handledWaiters.push(resolve));
  }

  /**
   * The synchronous mode's unit of work: a fetched batch handled one electron at a time, then
   * every output acknowledged (acks=all, idempotent producer), then the batch's offsets committed
   * and awaited, before the next fetch.
   */
  async #synchronousBatch(handle: () => void): Promise<void> {
    handle();
    await this.#whenHandled();
    if (!this.#hasFailed) await this.#commitFinished();
  }

  /**
   * Windows of idle partitions close on the clock (`window.idleClose`): at once, or in a
   * transaction of their own in the exactly-once mode, so their final results are emitted once.
   */
  #closeIdleWindows(): Promise<void> | undefined {
    const tables = this.#tables!;
    if (!tables.hasIdleCloseDue()) return undefined;
    const close = (): void => {
      try {
        tables.closeIdle();
      } catch (err) {
        void this.#fail(new CatenaeError(ErrorCode.Handler, `closing idle windows failed: ${errorMessage(err)}`, { cause: err }));
      }
    };
    if (this.#settings.mode !== 'exactly-once') {
      close();
      return undefined;
    }
    return this.#aroundBatch(this.#transaction([], close));
  }

  /** An electron fell only in closed windows: counted, logged at debug, and sent on where a table asks. */
  #late(electron: Electron, tables: readonly string[]): void {
    const where = `${electron.previousTopic}[${electron.partition}]@${electron.offset}`;
    this.#logger.debug(`electron ${where} is late for table(s) ${tables.join(', ')}: every window it falls in has closed`);
    if (lateChannel.hasSubscribers) lateChannel.publish({ link: this.name, topic: electron.previousTopic ?? '', tables });
    const toTopic = tables.some((name) => (this.#tables!.byName[name] as WindowedShardedTable).spec.late === 'topic');
    if (!toTopic) return;
    const headers = { ...electron.headers, 'catenae-late-tables': tables.join(',') };
    this.#dispatcher.emit(new Electron({ key: electron.key, value: electron.value, headers, timestamp: electron.timestamp, topic: `${electron.previousTopic}.late` }), undefined);
  }

  /** Runs one batch of the synchronous or exactly-once mode, remembered so a revoke can wait for it. */
  #aroundBatch(run: Promise<void>): Promise<void> {
    const batch = run.finally(() => {
      if (this.#batchInFlight === batch) this.#batchInFlight = undefined;
    });
    this.#batchInFlight = batch;
    return batch;
  }

  stop(reason?: string): Promise<LinkExit> {
    return this.#shutdown({ ok: true, reason: reason ?? 'stopped' }, true);
  }

  // LinkControl, behind ctx:

  send(value: unknown, topic: string | undefined, options: SendOptions | undefined): Promise<void> | undefined {
    if (this.#stopping && !this.#isDraining) throw new CatenaeError(ErrorCode.Closed, `link ${this.name} is stopped`);
    return sendRecord(this.#emitter, this.#dispatcher.encode(value, topic), options);
  }

  get rpc(): RpcClient {
    return this.#rpc.client;
  }

  loop(fn: (ctx: Context) => unknown, options: LoopOptions): void {
    this.#sources.addLoop(fn, options.intervalMs);
  }

  async addInput(topic: string): Promise<void> {
    await this.#transport.ensureTopics([{ topic }, ...deadLetterTopics([topic], this.#settings.onError)]);
    await this.#tablePartitions?.checkInput(topic);
    this.#handlers.add(topic);
    this.#subscribe();
  }

  async removeInput(topic: string): Promise<void> {
    this.#handlers.remove(topic);
    this.#subscribe();
  }

  // ctx.stop(reason): a deliberate failure exit.
  stopLink(reason: string | undefined): void {
    const why = reason ?? 'stopped by the link';
    void this.#shutdown({ ok: false, reason: why, error: new CatenaeError(ErrorCode.Stopped, why) }, true);
  }

  #inputTopics(): { topic: string; priority: number }[] {
    return this.#handlers.topics.map((topic) => ({ topic, priority: this.#handlers.priorityOf(topic) }));
  }

  /** Topic → handler: the inputs' handlers, and calls by key. */
  #routing(): Map<string, Handler> {
    const routing = this.#handlers.snapshot();
    if (this.#keyed !== undefined) routing.set(this.#keyed.topic, this.#keyed.handler);
    return routing;
  }

  #subscribe(): void {
    const inputs = this.#handlers.topics;
    const topics = this.#keyed === undefined || inputs.length === 0 ? inputs : [...inputs, this.#keyed.topic];
    this.#consumeLoop.setHandlers(this.#routing());
    this.#selector.setTopics(this.#inputTopics());
    if (topics.length === 0 && !this.#isSubscribed) return;
    this.#assignmentWait.start();
    this.#transport.subscribe(topics, {
      onAssigned: (partitions) => {
        this.#assignmentWait.assigned();
        for (const tp of partitions) this.#assignment.set(`${tp.topic}\u0000${tp.partition}`, tp);
        this.#logger.info(`assigned ${describePartitions(partitions)}`);
        if (rebalanceChannel.hasSubscribers) rebalanceChannel.publish({ link: this.name, uid: this.uid, kind: 'assigned', partitions });
        const assignment = [...this.#assignment.values()];
        this.#tablePartitions?.assigned(assignment);
        this.#selector.onAssigned(this.#keyed === undefined ? assignment : assignment.filter((tp) => tp.topic !== this.#keyed!.topic));
      },
      onRevoked: (partitions) => this.#revoked(partitions),
    });
    if (!this.#isSubscribed) this.#consumeLoop.start();
    this.#isSubscribed = true;
  }

  /**
   * The group takes partitions away: electrons of theirs not started are dropped (the next owner
   * reads them from the committed offset), those running finish, their outputs and table changes
   * are acknowledged and committed, then their shards are handed back.
   */
  async #revoked(partitions: TopicPartition[]): Promise<void> {
    this.#revokesInProgress++;
    try {
      await this.#revoke(partitions);
    } finally {
      this.#revokesInProgress--;
    }
  }

  async #revoke(partitions: TopicPartition[]): Promise<void> {
    this.#logger.debug(`revoking ${describePartitions(partitions)}`);
    this.#revokedInTransaction.add(partitions);
    if (rebalanceChannel.hasSubscribers) rebalanceChannel.publish({ link: this.name, uid: this.uid, kind: 'revoked', partitions });
    const deadline = Date.now() + REVOKE_DRAIN_MS;
    const left = () => Math.max(deadline - Date.now(), 0);
    this.#tracker.revoke(partitions);
    // A transaction in flight ends (commits or aborts, within its own deadline) before its
    // partitions go: committed by this member later, it would repeat the next owner's work.
    if (this.#batchInFlight !== undefined) await (this.#settings.mode === 'exactly-once' ? this.#batchInFlight : withDeadline(this.#batchInFlight, left()));
    const numbers = [...new Set(partitions.map((tp) => tp.partition))];
    if (this.#tables !== undefined) await withDeadline(this.#tables.quiesce(numbers), left());
    const isIdle = await settledWithin(this.#emitter.whenIdle(), left());
    await this.#commitFinished();
    if (this.#tables !== undefined) {
      await this.#tables.release(numbers, isIdle).catch((err: unknown) => this.#fail(new CatenaeError(ErrorCode.State, `cannot hand the table shards of ${describePartitions(partitions)} back: ${errorMessage(err)}`, { cause: err })));
    }
    this.#gate.forget(partitions);
    this.#tracker.drop(partitions);
    for (const tp of partitions) this.#assignment.delete(`${tp.topic}\u0000${tp.partition}`);
  }

  #publishState(state: LinkStateMessage['state']): void {
    const hasInputs = this.#handlers.topics.length > 0;
    if (stateChannel.hasSubscribers) stateChannel.publish({ link: this.name, uid: this.uid, state, hasInputs, clientId: `${this.name}-${this.uid}` });
  }

  #progress(): void {
    if (this.#handledWaiters.length > 0 && this.#scheduler.pending === 0) {
      // A batch of the synchronous or exactly-once mode waits to be handled and its last
      // (asynchronous) electron just finished: what it emitted and the table changes it made go
      // out now, not at the next commit tick (a call by key paid ~200 ms per batch).
      this.#emitter.flushAll();
      if (this.#emitter.isIdle) for (const resolve of this.#handledWaiters.splice(0)) resolve();
    }
    this.#consumeLoop.wake();
    if (this.#drainWaiter && this.isIdle()) this.#drainWaiter();
  }

  #fail(err: Error): Promise<LinkExit> {
    this.#hasFailed = true;
    this.#scheduler.stop();
    // A transaction waiting for its batch gives up (and aborts) instead of waiting for ever.
    for (const resolve of this.#handledWaiters.splice(0)) resolve();
    return this.#shutdown({ ok: false, reason: err.message, error: err }, false);
  }

  /** Stops once; `drain` lets what is in flight finish first (not after a fatal error). */
  #shutdown(exit: LinkExit, drain: boolean): Promise<LinkExit> {
    this.#stopping ??= this.#runShutdown(exit, drain);
    return this.#stopping;
  }

  async #runShutdown(exit: LinkExit, drain: boolean): Promise<LinkExit> {
    if (exit.ok) this.#logger.info(`stopping: ${exit.reason}`);
    else this.#logger.error(`stopping: ${exit.reason}`, errorFields(exit.error));
    this.#assignmentWait.stop();
    this.#publishState('stopping');
    this.#isDraining = true;
    const deadline = Date.now() + this.#settings.shutdownTimeoutMs;
    const left = () => Math.max(deadline - Date.now(), 0);
    await withDeadline(Promise.all([this.#sources.stop(), this.#consumeLoop.stop()]), left());
    if (drain) {
      await withDeadline(
        new Promise<void>((resolve) => {
          this.#drainWaiter = resolve;
          this.#progress();
        }),
        left(),
      );
    }
    await withDeadline(this.#emitter.whenIdle(), left());
    await withDeadline(this.#transport.flush(left()).catch(() => undefined), left());
    const inFlight = { electrons: this.#scheduler.pending, outputs: this.#emitter.unackedRecords };
    await withDeadline(this.#commitFinished(), left());
    this.#isDraining = false;
    clearInterval(this.#commitTimer);
    const finish = (this.instance as { finish?: Function }).finish;
    if (typeof finish === 'function') {
      try {
        await withDeadline(Promise.resolve(finish.call(this.instance, this.ctx)), left());
      } catch (err) {
        this.#logger.error(`finish() failed: ${errorMessage(err)}`, errorFields(err));
      }
    }
    await this.#release(Math.max(left(), 1000));
    const final = exitAfterDrain(exit, inFlight, this.#settings.shutdownTimeoutMs);
    if (final === exit) this.#logger.info('stopped');
    else this.#logger.error(`stopped: ${final.reason}`, errorFields(final.error));
    this.#resolveDone(final);
    return final;
  }
}
