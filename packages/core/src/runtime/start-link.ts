import { CatenaeError, ErrorCode } from '../errors.js';
import { EmbeddedBroker } from '../broker/embedded-broker.js';
import { EmbeddedTransportFactory } from '../broker/embedded-transport.js';
import { resolveLink, type LinkLike } from '../registry/resolve-link.js';
import type { TransportFactory } from '../transport/transport.js';
import { createLogger } from './create-logger.js';
import type { LinkHandle } from './link-handle.js';
import { LinkRuntime } from './link-runtime.js';
import { resolveSettings } from './link-settings.js';
import type { StartOptions } from './start-options.js';
import { kafkaTransport } from './transport-registry.js';
import { isInLinkWorker } from './workers/in-link-worker.js';
import { stateStoreFor } from '../state/state-store-registry.js';
import { loadTracing } from '../tracing/tracing-state.js';
import { announceInstance } from '../announce/announcer.js';

let processBroker: EmbeddedBroker | undefined;

/**
 * The embedded broker shared by every link of this process started without `kafka`. It keeps the
 * last million records per partition, so a long-running development topology stays bounded.
 */
export function processEmbeddedBroker(): EmbeddedBroker {
  return (processBroker ??= new EmbeddedBroker({ retentionRecords: 1_000_000 }));
}

/**
 * Starts one instance of a link and resolves once it runs: connected, topics created, `setup`
 * done, consuming. Without `kafka` (or `transport`) it runs on this process's embedded broker.
 * @throws CatenaeError naming the bad option, an unreachable broker, or a failed `setup`.
 * @publicApi
 */
export async function startLink(link: LinkLike, options: StartOptions = {}): Promise<LinkHandle> {
  if (isInLinkWorker()) {
    throw new CatenaeError(ErrorCode.BadLink, 'startLink ran in a worker thread of --workers, which imports the link\'s module: export the link from a module that does not start it');
  }
  const definition = resolveLink(link);
  const settings = resolveSettings(definition, options);
  const factory = await transportOf(options);
  await loadTracing();
  const logger = createLogger(settings.logLevel, settings.logFormat, settings.name, settings.uid);
  const hasTables = definition.tables.length > 0;
  const stateStore = hasTables ? (options.stateStore ?? (options.stateDir !== undefined ? await stateStoreFor(options.stateDir) : undefined)) : undefined;
  const runtime = new LinkRuntime(definition, settings, factory, logger, stateStore, options.clock);
  announceInstance(runtime, { mode: settings.mode, output: settings.output, rpcMethods: definition.rpcMethods, hasTables }, factory, options.announceIntervalMs, logger);
  // Loaded only when asked for: prom-client stays out of a process that serves no metrics.
  const metrics = options.metricsPort === undefined ? undefined : await (await import('../metrics/metrics-server.js')).serveMetrics(options.metricsPort, settings.name, settings.uid, logger);
  try {
    await runtime.start();
  } catch (err) {
    await runtime.abortStart(err as Error);
    await metrics?.release();
    throw err;
  }
  if (metrics) void runtime.done.then(() => metrics.release());
  return runtime;
}

function transportOf(options: StartOptions): Promise<TransportFactory> | TransportFactory {
  if (options.transport) return options.transport;
  if (options.kafka !== undefined) return kafkaTransport(options.kafka, options.kafkaConfig, options.replicationFactor);
  return new EmbeddedTransportFactory(processEmbeddedBroker());
}
