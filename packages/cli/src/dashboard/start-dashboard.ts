import { defineLink, startLink, type LinkHandle, type TransportFactory } from '@catenae/core';
import { AnnouncementReader } from './announcement-reader.js';
import { serveDashboard, type RpcInvoker } from './dashboard-server.js';
import { TopologyState, type StalenessOptions } from './topology-state.js';

/** What {@link startDashboard} needs. */
export interface DashboardOptions {
  /** Where the links run (Kafka, or an embedded broker in tests). */
  transport: TransportFactory;
  /** The bootstrap servers, as the page names them. */
  kafka: string;
  port: number;
  host: string;
  /** Let the page call `@Rpc()` methods of the links; off unless asked for. */
  allowRpc?: boolean;
  /** How often the page gets a frame, in ms (default 1000). */
  frameIntervalMs?: number;
  staleness?: Partial<StalenessOptions>;
}

/** A running dashboard. */
export interface Dashboard {
  readonly url: string;
  readonly state: TopologyState;
  close(): Promise<void>;
}

// A caller of RPC methods answers in its own inbox; it is named so in the links' logs.
const RPC_LINK = 'CatenaeDashboard';
const RPC_TIMEOUT_MS = 10_000;

/**
 * Reads the instances' announcements and serves the dashboard. With `allowRpc`, a link of its own
 * (reading nothing, announcing nothing) calls the `@Rpc()` methods the page asks for.
 * @throws CatenaeError when Kafka cannot be reached or the port cannot be bound.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const state = new TopologyState(options.staleness);
  const reader = new AnnouncementReader(options.transport, state);
  await reader.start();
  let caller: LinkHandle | undefined;
  let invokeRpc: RpcInvoker | undefined;
  try {
    if (options.allowRpc === true) {
      caller = await startLink(defineLink({ name: RPC_LINK }), { transport: options.transport, announceIntervalMs: 0, logLevel: 'warn' });
      const ctx = caller.ctx;
      invokeRpc = (link, method, args) => ctx.rpc.call(link, method, args, { timeoutMs: RPC_TIMEOUT_MS });
    }
    const server = await serveDashboard({ state, kafka: options.kafka, port: options.port, host: options.host, invokeRpc, frameIntervalMs: options.frameIntervalMs });
    return {
      url: server.url,
      state,
      close: async () => {
        await server.close();
        await caller?.stop('the dashboard stopped');
        await reader.close();
      },
    };
  } catch (err) {
    await caller?.stop('the dashboard failed to start');
    await reader.close();
    throw err;
  }
}
