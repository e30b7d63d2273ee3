// An OpenTelemetry SDK as a user registers it (`node --import ./register-tracing.mjs ...`): the
// Node tracer provider (AsyncLocalStorage context manager, W3C propagator) with a batching
// processor whose exporter drops the spans, so what is measured is the making of spans, not I/O.
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const dropping = { export: (_spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve() };

/**
 * Registers the provider, keeping every trace or, with `ratio`, that share of them (a sampler on
 * the trace id, following the parent's decision); returns a function that unregisters it.
 */
export function registerTracing({ ratio } = {}) {
  const sampler = ratio === undefined ? undefined : new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  const provider = new NodeTracerProvider({ ...(sampler ? { sampler } : {}), spanProcessors: [new BatchSpanProcessor(dropping, { maxQueueSize: 65_536, maxExportBatchSize: 4096 })] });
  provider.register();
  return async () => {
    await provider.shutdown();
    const { trace, context, propagation } = await import('@opentelemetry/api');
    trace.disable();
    context.disable();
    propagation.disable();
  };
}

if (process.env.CATENAE_BENCH_TRACING === '1') registerTracing();
