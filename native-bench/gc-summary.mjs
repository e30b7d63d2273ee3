// Adds up a stage's GC trace (lib/gc-trace.mjs): per kind of collection, how many, their pauses
// on the main thread, and the bytes allocated and promoted between them.
// Usage: node native-bench/gc-summary.mjs <stage.log> [electrons]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const KINDS = { s: 'scavenge', mc: 'mark-compact', mmc: 'minor mark-compact', ms: 'minor mark-sweep' };

/** { [kind]: { count, pauseMs, allocated, promoted } } of `--trace-gc-nvp` lines. */
export function summarizeGcTrace(text) {
  const kinds = {};
  for (const line of text.split('\n')) {
    const fields = Object.fromEntries([...line.matchAll(/(\w[\w.]*)=([^\s]+)/g)].map((m) => [m[1], m[2]]));
    if (fields.gc === undefined || fields.pause === undefined) continue;
    const kind = (kinds[KINDS[fields.gc] ?? fields.gc] ??= { count: 0, pauseMs: 0, allocated: 0, promoted: 0 });
    kind.count++;
    kind.pauseMs += Number(fields.pause);
    kind.allocated += Number(fields.allocated ?? 0);
    kind.promoted += Number(fields.promoted ?? 0);
  }
  return kinds;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const kinds = summarizeGcTrace(readFileSync(process.argv[2], 'utf8'));
  const electrons = Number(process.argv[3] ?? 0);
  const per = (bytes) => (electrons > 0 ? ` (${(bytes / electrons).toFixed(0)} B/electron)` : '');
  let allocated = 0;
  for (const [kind, k] of Object.entries(kinds)) {
    allocated += k.allocated;
    console.log(`${kind}: ${k.count}, ${k.pauseMs.toFixed(0)} ms paused, ${(k.allocated / 1e6).toFixed(0)} MB allocated, ${(k.promoted / 1e6).toFixed(1)} MB promoted`);
  }
  console.log(`allocated in all: ${(allocated / 1e6).toFixed(0)} MB${per(allocated)}`);
}
