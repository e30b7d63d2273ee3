#!/bin/sh
// 2>/dev/null; [ "${CATENAE_MALLOC-}" = system ] || for j in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2 /usr/local/lib/libjemalloc.so.2; do [ -r "$j" ] && { case "${LD_PRELOAD-}" in *jemalloc*) ;; *) export CATENAE_JEMALLOC="$j" LD_PRELOAD="$j${LD_PRELOAD:+:$LD_PRELOAD}" ;; esac; break; }; done
// 2>/dev/null; case " $NODE_OPTIONS" in *semi-space-size*) exec node "$0" "$@" ;; esac; exec node --max-semi-space-size=64 "$0" "$@"
//
// The three lines above are read by /bin/sh (a symlinked bin, npm's and pnpm's shims); to Node
// the last two are comments.
// - The second loads jemalloc into the process when the system has it (Debian's `libjemalloc2`,
//   Alpine's `jemalloc`), unless CATENAE_MALLOC=system. A busy link allocates on its main thread
//   (each record librdkafka copies) while librdkafka's threads free what the broker acknowledged;
//   glibc's malloc serialises the two on one lock, and a forwarding link spent 20–40% more CPU per
//   electron than with jemalloc, which frees across threads without contending
//   (native-bench/RESULTS.md).
// - The third re-executes this file with Node in the same process (exec keeps the pid a supervisor
//   holds) and a 64 MB young generation, unless NODE_OPTIONS already sets one. A link holds a whole
//   batch of electrons (up to 10,000 in the synchronous and exactly-once modes) while it handles
//   and commits it; with Node's default of 16 MB, the scavenger copies most of that batch before it
//   dies. With 64 MB it dies young: exactly-once counts go 20% faster on 20% less CPU.
// A plain `#!/usr/bin/env -S node …` would be simpler, but BusyBox's env (Alpine) has no -S.
// `node dist/bin.js` still runs, with Node's defaults and the system's malloc.

// The allocator is this process's own: processes a link starts get the environment it was given.
const jemalloc = process.env.CATENAE_JEMALLOC;
if (jemalloc !== undefined) {
  const preload = (process.env.LD_PRELOAD ?? '').split(/[: ]/).filter((lib) => lib !== '' && lib !== jemalloc);
  if (preload.length > 0) process.env.LD_PRELOAD = preload.join(':');
  else delete process.env.LD_PRELOAD;
  delete process.env.CATENAE_JEMALLOC;
}

// node-rdkafka's clients share libuv's thread pool (4 threads by default); a process running
// several links needs more, and the size must be set before the pool's first use.
process.env.UV_THREADPOOL_SIZE ??= '16';

const { main } = await import('./main.js');
const code = await main(process.argv.slice(2), process.env);
process.exitCode = code;
// Links close their clients on stop; exit now rather than wait for stray timers of user code.
setImmediate(() => process.exit(code));
