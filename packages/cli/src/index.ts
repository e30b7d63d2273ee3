export { main } from './main.js';
export { parseRunArgs, type RunRequest } from './parse-run-args.js';
export { RUN_FLAGS, envNameOf, type FlagSpec } from './flags.js';
