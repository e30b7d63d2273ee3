import type { Logger } from 'winston';
import { ElectronCodec } from '../../codec/electron-codec.js';
import { CatenaeError, ErrorCode, isCatenaeError } from '../../errors.js';
import type { RawRecord } from '../../transport/records.js';
import type { Transport, TransportFactory } from '../../transport/transport.js';
import type { Context } from '../context.js';
import { errorMessage } from '../failure-policy.js';
import { errorFields } from '../error-fields.js';
import { withDeadline } from '../with-deadline.js';
import { publishRpcCall } from './publish-rpc-call.js';
import { RpcClient } from './rpc-client.js';
import { parseRpcMessage, type RpcCaller, type RpcMessage, type RpcReply, type RpcRequest } from './rpc-envelope.js';
import { LinkTracing } from '../../tracing/link-tracing.js';
import { TRACEPARENT_HEADER } from '../../tracing/traceparent.js';
import { refreshTracing, tracingState } from '../../tracing/tracing-state.js';
import { BROADCAST_TOPIC, fanoutGroup, inboxGroup, instanceTopic, linkCallGroup, linkCallTopic, linkTopic } from './rpc-topics.js';

const FETCH_MAX = 100;
const FETCH_WAIT_MS = 50;
const ASSIGN_TIMEOUT_MS = 30_000;
// Callers' clocks may be ahead of ours: a call is dropped only this long after its deadline.
const CLOCK_SKEW_MS = 5000;

/** Where an RPC message was read. */
export interface RpcSource {
  topic: string;
  partition: number;
  offset: number;
}

/** What the endpoint needs of the link it serves. */
export interface RpcHost {
  readonly self: RpcCaller;
  readonly instance: object;
  readonly rpcMethods: readonly string[];
  /** The context a method gets, naming its caller. */
  contextFor(caller: RpcCaller): Context;
  /** Runs a method so it never overlaps a transform where the mode forbids it. */
  runExclusive<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * A link instance's RPC over Kafka: an inbox (its own topic: calls to it and replies to its calls)
 * and, when the link has `@Rpc()` methods, its link's notification and the broadcast topics (read
 * in a group of its own) and a share of its link's call topic (read in a group all instances
 * share). RPC has consumers of its own, so calls are answered while a data backlog waits.
 */
export class RpcEndpoint {
  readonly client: RpcClient;
  readonly #host: RpcHost;
  readonly #logger: Logger;
  readonly #codec = new ElectronCodec({});
  readonly #inbox: Transport;
  readonly #fanout: Transport | undefined;
  readonly #calls: Transport | undefined;
  readonly #tracing: LinkTracing;
  #isRunning = false;
  readonly #loops: Promise<void>[] = [];

  constructor(host: RpcHost, factory: TransportFactory, logger: Logger) {
    this.#host = host;
    this.#logger = logger;
    // The instance topic and the call topic are read from the start of a new group: a reply or a
    // call written while the consumer was still finding the end of its partition is not skipped
    // (Kafka resolves "latest" some time after the assignment). Notifications to a link and
    // broadcasts are read from the latest offset: a new instance does not replay old ones.
    const earliest = { 'auto.offset.reset': 'earliest' };
    const latest = { 'auto.offset.reset': 'latest' };
    const clientId = `${host.self.link}-${host.self.uid}-rpc`;
    const { uid, link } = host.self;
    const serves = host.rpcMethods.length > 0;
    this.#inbox = factory.create({ clientId, groupId: inboxGroup(uid), config: earliest });
    this.#fanout = serves ? factory.create({ clientId: `${clientId}-fanout`, groupId: fanoutGroup(uid), config: latest }) : undefined;
    this.#calls = serves ? factory.create({ clientId: `${clientId}-calls`, groupId: linkCallGroup(link), config: earliest }) : undefined;
    this.#tracing = new LinkTracing({ linkName: link, uid, consumerGroup: undefined });
    this.client = new RpcClient(host.self, {
      send: (topic, message, route, traceparent) => this.start().then(() => this.#send(topic, message, route, traceparent)),
      partitionCount: (topic) => this.start().then(() => this.#inbox.partitionCount(topic)),
    });
  }

  #started: Promise<void> | undefined;

  /**
   * Connects, creates the RPC topics, and resolves once the inboxes are assigned (so no reply or
   * call sent after is missed). Idempotent: the first send of a link that only calls starts it.
   */
  start(): Promise<void> {
    return (this.#started ??= this.#start());
  }

  async #start(): Promise<void> {
    const { uid, link } = this.#host.self;
    const consumers: [Transport | undefined, string[], number][] = [
      [this.#inbox, [instanceTopic(uid)], 1],
      [this.#fanout, [linkTopic(link), BROADCAST_TOPIC], 1],
      [this.#calls, [linkCallTopic(link)], 4],
    ];
    const assigned: Promise<void>[] = [];
    this.#isRunning = true;
    for (const [transport, topics, partitions] of consumers) {
      if (!transport) continue;
      await transport.connect();
      await transport.ensureTopics(topics.map((topic) => ({ topic, partitions })));
      assigned.push(this.#subscribe(transport, topics));
      this.#loops.push(this.#loop(transport));
    }
    await withDeadline(Promise.all(assigned), ASSIGN_TIMEOUT_MS);
  }

  /** Stops answering, rejects calls still waiting for replies, and closes the clients. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    await this.#started.catch(() => undefined);
    this.#isRunning = false;
    this.client.close();
    await Promise.all(this.#loops);
    await Promise.all([this.#inbox.close(), this.#fanout?.close(), this.#calls?.close()]);
  }

  #subscribe(transport: Transport, topics: string[]): Promise<void> {
    return new Promise((resolve) => {
      transport.subscribe(topics, {
        // A member of a shared call group may get no partition at all: that is an assignment too.
        onAssigned: () => resolve(),
        onRevoked: () => undefined,
      });
    });
  }

  async #loop(transport: Transport): Promise<void> {
    while (this.#isRunning) {
      const records = await new Promise<RawRecord[]>((resolve) =>
        transport.fetch(FETCH_MAX, FETCH_WAIT_MS, (err, fetched) => {
          if (err) this.#logger.warn(`RPC fetch failed: ${err.message}`, errorFields(err));
          resolve(err ? [] : fetched);
        }),
      );
      if (records.length === 0) continue;
      refreshTracing();
      for (const record of records) void this.#handle(record);
      const last = new Map<string, { topic: string; partition: number; offset: number }>();
      for (const r of records) last.set(`${r.topic}\u0000${r.partition}`, { topic: r.topic, partition: r.partition, offset: r.offset + 1 });
      transport.commit([...last.values()]).catch((err: Error) => this.#logger.debug(`RPC commit failed: ${err.message}`));
    }
  }

  async #handle(record: RawRecord): Promise<void> {
    const source = { topic: record.topic, partition: record.partition, offset: record.offset };
    let electron;
    try {
      electron = this.#codec.decode(record);
    } catch (err) {
      this.#logger.warn(`ignored a malformed RPC message on ${record.topic}[${record.partition}]@${record.offset}: ${errorMessage(err)}`, { ...source, ...errorFields(err) });
      return;
    }
    await this.#serve(electron.value, source, true, electron.headers?.[TRACEPARENT_HEADER]);
  }

  /**
   * Answers a call by key, read by the link's own consumer from its keyed call topic (so the
   * owner of the key's partition answers, in the order it reads that partition). Resolves once
   * the method has run and its reply is handed to the producer; never rejects.
   */
  serveKeyed(value: unknown, source: RpcSource): Promise<void> {
    return this.#serve(value, source, false);
  }

  async #serve(value: unknown, source: RpcSource, isExclusive: boolean, traceparent?: string | Buffer): Promise<void> {
    const { topic } = source;
    const where = `${source.topic}[${source.partition}]@${source.offset}`;
    let request: RpcRequest;
    try {
      const message = parseRpcMessage(value);
      if (message.kind === 'reply') {
        if (!this.client.receive(message)) this.#logger.debug(`RPC reply ${message.id} came after its call gave up`);
        return;
      }
      request = message;
    } catch (err) {
      this.#logger.warn(`ignored a malformed RPC message on ${where}: ${errorMessage(err)}`, { ...source, ...errorFields(err) });
      this.#replyToMalformed(value, err);
      return;
    }
    const { method, from, id, replyTo, deadline } = request;
    if (deadline !== undefined && Date.now() > deadline + CLOCK_SKEW_MS) {
      // Its caller gave up long ago (a new instance reading old calls): running it helps nobody.
      this.#logger.debug(`skipped RPC ${method} from ${from.link}(${from.uid}): its caller stopped waiting at ${new Date(deadline).toISOString()}`);
      return;
    }
    if (topic === BROADCAST_TOPIC && !this.#host.rpcMethods.includes(method)) {
      // A broadcast reaches every link; those without the method let it pass.
      this.#logger.debug(`broadcast ${method} from ${from.link}(${from.uid}) has no method here`);
      return;
    }
    const startedAt = performance.now();
    try {
      if (!this.#host.rpcMethods.includes(method)) {
        throw new CatenaeError(ErrorCode.RpcUnknownMethod, `${this.#host.self.link} has no @Rpc() method "${method}"`);
      }
      const fn = (this.#host.instance as Record<string, Function>)[method]!;
      const call = async () => fn.call(this.#host.instance, request.args, this.#host.contextFor(from));
      // Traced: the method runs in a span of its own, child of the caller's.
      const run = tracingState.isOn ? () => this.#tracing.serve(method, from, traceparent, call) : call;
      const result = await (isExclusive ? this.#host.runExclusive(run) : run());
      publishRpcCall(this.#host.self.link, method, 'served', 'ok', startedAt);
      if (id !== undefined) this.#reply(replyTo!, { kind: 'reply', id, from: this.#host.self, ok: true, result });
    } catch (err) {
      publishRpcCall(this.#host.self.link, method, 'served', 'error', startedAt);
      const level = isCatenaeError(err, ErrorCode.RpcUnknownMethod) ? 'warn' : 'error';
      this.#logger[level](`RPC ${method} from ${from.link}(${from.uid}) failed: ${errorMessage(err)}`);
      if (id === undefined) return;
      const code = isCatenaeError(err) ? err.code : ErrorCode.RpcFailed;
      this.#reply(replyTo!, { kind: 'reply', id, from: this.#host.self, ok: false, error: { message: err instanceof Error ? err.message : String(err), code } });
    }
  }

  /**
   * Sends a reply without waiting for the broker to acknowledge it: a call by key is an electron
   * of its partition, and in the sequential modes the partition's next electrons would otherwise
   * wait a produce round trip per call. A reply that cannot be delivered is logged; its caller
   * gets CATENAE_RPC_TIMEOUT.
   * @throws what encoding the reply throws (a result the codec cannot encode), at once.
   */
  #reply(topic: string, message: RpcReply): void {
    this.#send(topic, message).catch((err: Error) => this.#logger.warn(`could not send the RPC reply to ${topic}: ${err.message}`, errorFields(err)));
  }

  /** A malformed call that still says where to answer gets an error reply. */
  #replyToMalformed(value: unknown, err: unknown): void {
    const { id, replyTo } = (value ?? {}) as { id?: unknown; replyTo?: unknown };
    if (typeof id !== 'string' || typeof replyTo !== 'string') return;
    const error = { message: errorMessage(err), code: ErrorCode.RpcFailed };
    this.#reply(replyTo, { kind: 'reply', id, from: this.#host.self, ok: false, error });
  }

  #send(topic: string, message: RpcMessage, route?: { key: Buffer; partition: number }, traceparent?: string): Promise<void> {
    const record = this.#codec.encode(message, route?.key ?? null, topic, traceparent === undefined ? undefined : { [TRACEPARENT_HEADER]: traceparent }, undefined);
    if (route !== undefined) record.partition = route.partition;
    return new Promise((resolve, reject) => this.#inbox.produce([record], (err) => (err ? reject(err) : resolve())));
  }
}
