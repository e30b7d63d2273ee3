import { performance } from 'node:perf_hooks';
import { rpcChannel, type RpcCallMessage } from '../../diagnostics.js';

/** Publishes one RPC on the `rpc` diagnostics channel, when someone listens. */
export function publishRpcCall(link: string, method: string, role: RpcCallMessage['role'], outcome: RpcCallMessage['outcome'], startedAt: number): void {
  if (rpcChannel.hasSubscribers) rpcChannel.publish({ link, method, role, outcome, durationMs: performance.now() - startedAt });
}
