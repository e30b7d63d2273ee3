#!/bin/sh
// 2>/dev/null; case " $NODE_OPTIONS" in *semi-space-size*) exec node "$0" "$@" ;; esac; exec node --max-semi-space-size=64 "$0" "$@"
//
// The two lines above are read by /bin/sh (a symlinked bin, npm's and pnpm's shims): the second
// re-executes this file with Node in the same process (exec keeps the pid a supervisor holds) and
// a 64 MB young generation, unless NODE_OPTIONS already sets one. To Node that line is a comment.
// A link holds a whole batch of electrons (up to 10,000 in the synchronous and exactly-once modes)
// while it handles and commits it; with Node's default of 16 MB, the scavenger copies most of that
// batch before it dies. With 64 MB it dies young: exactly-once counts go 20% faster on 20% less CPU
// (native-bench/RESULTS.md). A plain `#!/usr/bin/env -S node …` would be simpler, but BusyBox's
// env (Alpine) has no -S. `node dist/bin.js` still runs, with Node's default.

// node-rdkafka's clients share libuv's thread pool (4 threads by default); a process running
// several links needs more, and the size must be set before the pool's first use.
process.env.UV_THREADPOOL_SIZE ??= '16';

const { main } = await import('./main.js');
const code = await main(process.argv.slice(2), process.env);
process.exitCode = code;
// Links close their clients on stop; exit now rather than wait for stray timers of user code.
setImmediate(() => process.exit(code));
