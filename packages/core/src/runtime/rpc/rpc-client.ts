import { randomBytes } from 'node:crypto';
import { CatenaeError, ErrorCode } from '../../errors.js';
import type { RpcCaller, RpcReply, RpcRequest } from './rpc-envelope.js';
import { BROADCAST_TOPIC, instanceTopic, linkCallTopic, linkTopic } from './rpc-topics.js';
import { publishRpcCall } from './publish-rpc-call.js';

/**
 * Who an RPC goes to: a link by name (`'Mapper'`, or `{ link: 'Mapper' }`), one instance by uid
 * (`{ uid }`, or a 12-hex-digit uid string), or `'broadcast'`: every instance of every link.
 */
export type RpcTarget = string | { uid: string } | { link: string };

/** Options of {@link RpcClient.call}. */
export interface CallOptions {
  /** Reject with `CATENAE_RPC_TIMEOUT` when no reply came within this many milliseconds (default 10000). */
  timeoutMs?: number;
}

/** The `@Rpc()` methods of a link class as a typed remote proxy: each takes its args and resolves to its result. */
export type RpcProxy<T> = {
  [K in keyof T]: T[K] extends (args: infer A, ...rest: any[]) => infer R ? (args?: A, options?: CallOptions) => Promise<Awaited<R>> : never;
};

/** Sends an RPC message; resolves once the broker acknowledged it. */
export type RpcSender = (topic: string, message: RpcRequest) => Promise<void>;

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
  readonly #send: RpcSender;
  readonly #pending = new Map<string, PendingCall>();

  constructor(self: RpcCaller, send: RpcSender) {
    this.#self = self;
    this.#send = send;
  }

  /** Runs `method` on every instance `to` names, without waiting for results. Resolves once sent. */
  notify(to: RpcTarget, method: string, args?: unknown): Promise<void> {
    const topic = notifyTopic(to);
    return this.#send(topic, { kind: 'request', method, args, from: this.#self });
  }

  /**
   * Runs `method` on one instance `to` names and resolves to its result.
   * @throws CatenaeError `CATENAE_RPC_TIMEOUT` without a reply in time; `CATENAE_RPC_FAILED` or
   *   `CATENAE_RPC_UNKNOWN_METHOD` carrying the remote error.
   */
  call<R = unknown>(to: RpcTarget, method: string, args?: unknown, options: CallOptions = {}): Promise<R> {
    const topic = callTopic(to);
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
    const request: RpcRequest = { kind: 'request', method, args, from: this.#self, id, replyTo: instanceTopic(this.#self.uid) };
    this.#send(topic, request).catch((err: Error) => this.#settle(id, undefined, err));
    return reply;
  }

  /** A typed proxy: `ctx.rpc.to<Reducer>('Reducer').snapshot()` calls `Reducer.snapshot` on one instance. */
  to<T>(target: RpcTarget): RpcProxy<T> {
    return new Proxy({} as RpcProxy<T>, {
      get: (_, method) => (typeof method === 'string' ? (args?: unknown, options?: CallOptions) => this.call(target, method, args, options) : undefined),
    });
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
  return 'uid' in to ? to.uid : to.link;
}
