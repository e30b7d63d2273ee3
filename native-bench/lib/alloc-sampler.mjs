// Samples what a stage allocates, collected objects included, over one window of its run, and
// writes the profile (Chrome's .heapprofile format) for alloc-summary.mjs. `node --heap-prof`
// keeps only what is still alive at exit, which misses the short-lived electrons that matter here.
// Load it into every stage of a benchmark:
//   ALLOC_PROFILE_DIR=dir BENCH_NODE_FLAGS="--import ./native-bench/lib/alloc-sampler.mjs" node ...
// ALLOC_PROFILE_START_MS (default 4000) after start, for ALLOC_PROFILE_MS (default 5000).
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.ALLOC_PROFILE_DIR;
const startMs = Number(process.env.ALLOC_PROFILE_START_MS ?? 4000);
const windowMs = Number(process.env.ALLOC_PROFILE_MS ?? 5000);
// Bytes between samples: V8's default is 32 KB; a 100-byte electron needs finer steps to show.
const SAMPLING_INTERVAL = 1024;

if (dir) {
  const session = new Session();
  session.connect();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  const sample = async () => {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', {
      samplingInterval: SAMPLING_INTERVAL,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await new Promise((resolve) => setTimeout(resolve, windowMs).unref());
    const { profile } = await post('HeapProfiler.stopSampling');
    const file = join(dir, `alloc-${process.pid}.heapprofile`);
    writeFileSync(file, JSON.stringify({ ...profile, windowMs }));
    process.stderr.write(`allocation profile of ${windowMs} ms written to ${file}\n`);
  };
  setTimeout(() => sample().catch((err) => process.stderr.write(`allocation profile failed: ${err.message}\n`)), startMs).unref();
}
