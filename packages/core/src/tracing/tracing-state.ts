// Whether spans are made at all. @opentelemetry/api is an optional peer dependency, loaded once
// when the first link starts; without it, or while no tracer provider is registered in the
// process, the runtime makes no span, reads no header and writes none: the hot path pays one
// branch on `tracingState.isOn` per electron, and this check once per fetched batch.
import type * as OtelApi from '@opentelemetry/api';

/** The API module, when installed. */
type Api = typeof OtelApi;

/** Read by the runtime per electron; set by {@link refreshTracing}. */
export const tracingState = { isOn: false };

let api: Api | undefined;
let noopProvider: unknown;
let loading: Promise<void> | undefined;

/** Loads `@opentelemetry/api` if it is installed (once), then checks for a tracer provider. */
export function loadTracing(): Promise<void> {
  loading ??= import('@opentelemetry/api').then(
    (loaded) => {
      api = loaded;
      // The provider every unregistered proxy delegates to: the API's own no-op one.
      noopProvider = new loaded.ProxyTracerProvider().getDelegate();
    },
    () => undefined,
  );
  return loading.then(refreshTracing);
}

/**
 * Sets `tracingState.isOn`: whether a tracer provider (an OpenTelemetry SDK) is registered with
 * the API now. Called when a link starts and once per fetched batch, so an SDK registered later
 * is picked up.
 */
export function refreshTracing(): void {
  if (api === undefined) return;
  const provider = api.trace.getTracerProvider();
  // Registered through another copy of the API: not our proxy class, but a provider all the same.
  const isOn = !(provider instanceof api.ProxyTracerProvider) || provider.getDelegate() !== noopProvider;
  // Written only when it changes: V8 treats a field never stored to again as a constant in the
  // optimized code that reads it, and a store (even of the same value) can throw that code away.
  if (isOn !== tracingState.isOn) tracingState.isOn = isOn;
}

/** The loaded API; only called while `tracingState.isOn`. */
export function otel(): Api {
  return api!;
}
