import { randomBytes } from 'node:crypto';
import { CatenaeError, ErrorCode } from '../../errors.js';
import type { RpcCaller, RpcReply, RpcRequest } from './rpc-envelope.js';
import { BROADCAST_TOPIC, instanceTopic, linkCallTopic, linkKeyedTopic, linkTopic } from './rpc-topics.js';
import { partitionForKey } from '../../partition/murmur2.js';
import { partitionBytesOf } from '../../state/table-key.js';
import type { TableKey } from '../../state/keyed-table.js';
import { publishRpcCall } from './publish-rpc-call.js';
import { currentTraceparent } from '../../tracing/link-tracing.js';
import { tracingState } from '../../tracing/tracing-state.js';

/**
 * Who an RPC goes to: a link by name (`'Mapper'`, or `{ link: 'Mapper' }`), one instance by uid
 * (`{ uid }`, or a 12-hex-digit uid string), the instance of a link that owns a key's partition
 * of its input (`{ link: 'Reducer', key: 'word' }`, for links with tables), or `'broadcast'`:
 * every instance of every link.
 */
export type RpcTarget = string | { uid: string } | { link: string; key?: TableKey };

/** Options of {@link RpcClient.call}. */
export interface CallOptions {
  /** Reject with `CATENAE_RPC_TIMEOUT` when no reply came within this many milliseconds (default 10000). */
  timeoutMs?: number;
}

/** The `@Rpc()` methods of a link class as a typed remote proxy: each takes its args and resolves to its result. */
export type RpcProxy<T> = {
  [K in keyof T]: T[K] extends (args: infer A, ...rest: any[]) => infer R ? (args?: A, options?: CallOptions) => Promise<Awaited<R>> : never;
};

/** How the client reaches the broker. */
export interface RpcIo {
  /**
   * Sends an RPC message (keyed, to a partition, when `route` is given; with the caller's span as
   * `traceparent` header when tracing); resolves once acknowledged.
   */
  send(topic: string, message: RpcRequest, route?: { key: Buffer; partition: number }, traceparent?: string): Promise<void>;
  /** The partition count of a topic, undefined while it does not exist. */
  partitionCount(topic: string): Promise<number | undefined>;
}

/** How often a call by key looks again for its link's keyed topic while it does not exist. */
const KEYED_TOPIC_RETRY_MS = 200;

interface PendingCall {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  method: string;
  startedAt: number;
}

const UID_LIKE = /^[0-9a-f]{12}$/;

/**
 * `ctx.rpc`: calls `@Rpc()` methods of other links over Kafka. `notify` is fire-and-forget (every
 * instance of a link, one instance, or everyone); `call` reaches one instance and resolves to the
 * remote result, rejects with the remote error, or with a timeout.
 * @publicApi
 */
export class RpcClient {
  readonly #self: RpcCaller;
  readonly #io: RpcIo;
  readonly #pending = new Map<string, PendingCall>();
  /** Partition counts of keyed call topics, once known. */
  readonly #keyedPartitions = new Map<string, number>();

  constructor(self: RpcCaller, io: RpcIo) {
    this.#self = self;
    this.#io = io;
  }

  /** Runs `method` on every instance `to` names, without waiting for results. Resolves once sent. */
  notify(to: RpcTarget, method: string, args?: unknown): Promise<void> {
    const message: RpcRequest = { kind: 'request', method, args, from: this.#self };
    const traceparent = tracingState.isOn ? currentTraceparent() : undefined;
    if (isKeyed(to)) return this.#sendKeyed(to, message, Date.now() + 10_000, traceparent);
    return this.#io.send(notifyTopic(to), message, undefined, traceparent);
  }

  /**
   * Runs `method` on one instance `to` names and resolves to its result.
   * @throws CatenaeError `CATENAE_RPC_TIMEOUT` without a reply in time; `CATENAE_RPC_FAILED` or
   *   `CATENAE_RPC_UNKNOWN_METHOD` carrying the remote error.
   */
  call<R = unknown>(to: RpcTarget, method: string, args?: unknown, options: CallOptions = {}): Promise<R> {
    const topic = isKeyed(to) ? linkKeyedTopic(to.link) : callTopic(to);
    const timeoutMs = options.timeoutMs ?? 10_000;
    const id = randomBytes(8).toString('hex');
    const startedAt = performance.now();
    const reply = new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        publishRpcCall(this.#self.link, method, 'called', 'timeout', startedAt);
        reject(new CatenaeError(ErrorCode.RpcTimeout, `no reply from ${describeTarget(to)}.${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer, method, startedAt });
    });
    const request: RpcRequest = { kind: 'request', method, args, from: this.#self, id, replyTo: instanceTopic(this.#self.uid), deadline: Date.now() + timeoutMs };
    const traceparent = tracingState.isOn ? currentTraceparent() : undefined;
    const sent = isKeyed(to) ? this.#sendKeyed(to, request, Date.now() + timeoutMs, traceparent) : this.#io.send(topic, request, undefined, traceparent);
    sent.catch((err: Error) => this.#settle(id, undefined, err));
    return reply;
  }

  /** A typed proxy: `ctx.rpc.to<Reducer>('Reducer').snapshot()` calls `Reducer.snapshot` on one instance. */
  to<T>(target: RpcTarget): RpcProxy<T> {
    return new Proxy({} as RpcProxy<T>, {
      get: (_, method) => (typeof method === 'string' ? (args?: unknown, options?: CallOptions) => this.call(target, method, args, options) : undefined),
    });
  }

  /**
   * Sends to the partition of the link's keyed call topic that the key would take in its inputs
   * (murmur2 over the partition count, as for a keyed electron). The link creates that topic at
   * start: until it exists, this waits (up to `deadline`) rather than creating it wrongly sized.
   */
  async #sendKeyed(to: { link: string; key: TableKey }, message: RpcRequest, deadline: number, traceparent: string | undefined): Promise<void> {
    if (typeof to.key !== 'string' && !(typeof to.key === 'number' && Number.isFinite(to.key))) {
      throw new CatenaeError(ErrorCode.BadFlag, `an RPC by key needs a string or finite number key, got ${typeof to.key}`);
    }
    const topic = linkKeyedTopic(to.link);
    let partitions = this.#keyedPartitions.get(topic);
    while (partitions === undefined) {
      partitions = await this.#io.partitionCount(topic);
      if (partitions !== undefined) this.#keyedPartitions.set(topic, partitions);
      else if (Date.now() >= deadline) {
        throw new CatenaeError(ErrorCode.RpcTimeout, `no instance of ${to.link} takes calls by key yet (${topic} does not exist; links with tables create it when they start)`);
      } else await new Promise((resolve) => setTimeout(resolve, KEYED_TOPIC_RETRY_MS));
    }
    const key = partitionBytesOf(to.key);
    await this.#io.send(topic, message, { key, partition: partitionForKey(key, partitions) }, traceparent);
  }

  /** Hands a reply to the call waiting for it; replies nobody waits for (late, after a timeout) are dropped. */
  receive(reply: RpcReply): boolean {
    if (!this.#pending.has(reply.id)) return false;
    if (reply.ok) this.#settle(reply.id, reply.result, undefined);
    else {
      const code = Object.values(ErrorCode).includes(reply.error?.code as ErrorCode) ? (reply.error!.code as ErrorCode) : ErrorCode.RpcFailed;
      this.#settle(reply.id, undefined, new CatenaeError(code, `${reply.from.link}(${reply.from.uid}) failed: ${reply.error?.message ?? 'unknown error'}`));
    }
    return true;
  }

  /** Rejects every waiting call: the link is stopping. */
  close(): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, undefined, new CatenaeError(ErrorCode.Closed, 'the link stopped before the reply came'));
  }

  #settle(id: string, value: unknown, err: Error | undefined): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    publishRpcCall(this.#self.link, pending.method, 'called', err ? 'error' : 'ok', pending.startedAt);
    if (err) pending.reject(err);
    else pending.resolve(value);
  }
}

function notifyTopic(to: RpcTarget): string {
  if (to === 'broadcast') return BROADCAST_TOPIC;
  if (typeof to === 'object') return 'uid' in to ? instanceTopic(to.uid) : linkTopic(to.link);
  return UID_LIKE.test(to) ? instanceTopic(to) : linkTopic(to);
}

function callTopic(to: RpcTarget): string {
  if (to === 'broadcast') throw new CatenaeError(ErrorCode.BadFlag, 'a call needs one answer: use notify to reach every instance');
  if (typeof to === 'object') return 'uid' in to ? instanceTopic(to.uid) : linkCallTopic(to.link);
  return UID_LIKE.test(to) ? instanceTopic(to) : linkCallTopic(to);
}

function describeTarget(to: RpcTarget): string {
  if (typeof to === 'string') return to;
  if ('uid' in to) return to.uid;
  return to.key === undefined ? to.link : `${to.link}(key "${String(to.key)}")`;
}

function isKeyed(to: RpcTarget): to is { link: string; key: TableKey } {
  return typeof to === 'object' && 'link' in to && to.key !== undefined;
}
