// What tracing costs the one-link embedded bench (embedded-link.bench.mjs: 100-byte strings
// forwarded by a link with a synchronous handler): runs alternate between no OpenTelemetry SDK
// registered (the runtime then makes no span and reads or writes no header) and the Node SDK
// registered with a batching processor whose exporter drops the spans (a CONSUMER span per
// electron, a traceparent header on every output), every trace kept or 1% of them (a sampler on
// the trace id). Medians of electrons/s and CPU per electron.
// The cost of tracing being *off* is measured against the build before tracing existed: run
// embedded-link.bench.mjs on both builds (native-bench/RESULTS.md says how).
// Usage: node native-bench/tracing.bench.mjs [electrons=1000000] [runs=5]
import { runEmbeddedLink } from './embedded-link.bench.mjs';
import { registerTracing } from './lib/register-tracing.mjs';
import { median } from './lib/stats.mjs';

const total = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 5);
const MODES = {
  'no SDK registered': undefined,
  'SDK, every trace kept': {},
  'SDK, 1% of traces kept': { ratio: 0.01 },
};
const results = Object.fromEntries(Object.keys(MODES).map((mode) => [mode, []]));
for (let i = 0; i < runs; i++) {
  for (const [mode, options] of Object.entries(MODES)) {
    const unregister = options === undefined ? undefined : registerTracing(options);
    results[mode].push(await runEmbeddedLink(total));
    await unregister?.();
  }
}
for (const [mode, rs] of Object.entries(results)) {
  console.log(`${mode.padEnd(24)} ${Math.round(median(rs.map((r) => r.rate)))} electrons/s, ${Math.round(median(rs.map((r) => r.cpuNsPerElectron)))} ns CPU per electron (runs: ${rs.map((r) => Math.round(r.rate)).join(', ')})`);
}
