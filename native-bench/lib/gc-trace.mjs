// Turns on V8's GC trace (one line per collection: pause, allocated and promoted bytes) in a stage
// started through NODE_OPTIONS, where `--trace-gc-nvp` is refused. With BENCH_STDOUT_DIR the lines
// land in a file per stage; gc-summary.mjs adds them up:
//   BENCH_STDOUT_DIR=dir BENCH_NODE_FLAGS="--import ./native-bench/lib/gc-trace.mjs" node ...
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--trace-gc-nvp');
