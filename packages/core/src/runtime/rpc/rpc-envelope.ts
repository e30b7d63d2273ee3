import { CatenaeError, ErrorCode } from '../../errors.js';

/** Who made a call: a link instance. */
export interface RpcCaller {
  uid: string;
  link: string;
}

/** A call (with `id` and `replyTo`) or a notification (without) to an `@Rpc()` method. */
export interface RpcRequest {
  kind: 'request';
  method: string;
  args: unknown;
  from: RpcCaller;
  id?: string;
  replyTo?: string;
  /** When the caller stops waiting (ms since the epoch): a call read later is not run. */
  deadline?: number;
}

/** The answer to a call. */
export interface RpcReply {
  kind: 'reply';
  id: string;
  from: RpcCaller;
  ok: boolean;
  result?: unknown;
  error?: { message: string; code: string };
}

/** An RPC message as it travels (encoded by the transparent codec). */
export type RpcMessage = RpcRequest | RpcReply;

/**
 * Checks a decoded RPC message's shape.
 * @throws CatenaeError `CATENAE_RPC_FAILED` naming what is wrong (a message written by hand, another format).
 */
export function parseRpcMessage(value: unknown): RpcMessage {
  if (typeof value !== 'object' || value === null) throw malformed(`expected an object, got ${typeof value}`);
  const message = value as {
    kind?: unknown;
    method?: unknown;
    id?: unknown;
    replyTo?: unknown;
    ok?: unknown;
    from?: unknown;
  };
  const from = message.from as Partial<RpcCaller> | undefined;
  if (typeof from?.uid !== 'string' || typeof from.link !== 'string') throw malformed('"from" must name the caller\'s uid and link');
  if (message.kind === 'request') {
    if (typeof message.method !== 'string' || message.method.length === 0) throw malformed('"method" must be a name');
    if ((message.id === undefined) !== (message.replyTo === undefined)) throw malformed('a call needs both "id" and "replyTo"');
    if (message.id !== undefined && (typeof message.id !== 'string' || typeof message.replyTo !== 'string')) throw malformed('"id" and "replyTo" must be strings');
    return value as RpcRequest;
  }
  if (message.kind === 'reply') {
    if (typeof message.id !== 'string' || typeof message.ok !== 'boolean') throw malformed('a reply needs "id" and "ok"');
    return value as RpcReply;
  }
  throw malformed('"kind" must be request or reply');
}

function malformed(what: string): CatenaeError {
  return new CatenaeError(ErrorCode.RpcFailed, `malformed RPC message: ${what}`);
}
