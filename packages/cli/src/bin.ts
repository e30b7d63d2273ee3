#!/usr/bin/env node
// node-rdkafka's clients share libuv's thread pool (4 threads by default); a process running
// several links needs more, and the size must be set before the pool's first use.
process.env.UV_THREADPOOL_SIZE ??= '16';

const { main } = await import('./main.js');
const code = await main(process.argv.slice(2), process.env);
process.exitCode = code;
// Links close their clients on stop; exit now rather than wait for stray timers of user code.
setImmediate(() => process.exit(code));
