// `catenae` as its users start it: its bin run by /bin/sh, as npm's and pnpm's shims do, so a
// link runs with the Node flags the launcher gives it (packages/cli/src/bin.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BenchProcess } from './bench-process.mjs';

export const CLI = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

/**
 * A `catenae <args>` process. `nodeFlags` reach Node through NODE_OPTIONS (one that sets the
 * young generation replaces the launcher's). `cli`: another checkout's bin, for before/after runs;
 * one older than the launcher (a `#!/usr/bin/env node` script) is run by this Node, flags first.
 */
export function catenaeProcess(name, args, { env = {}, nodeFlags = [], cli = CLI } = {}) {
  if (!readFileSync(cli, 'utf8').startsWith('#!/bin/sh')) return new BenchProcess(name, [...nodeFlags, cli, ...args], env);
  const options = [process.env.NODE_OPTIONS, ...nodeFlags].filter(Boolean).join(' ');
  return new BenchProcess(name, [cli, ...args], options === '' ? env : { ...env, NODE_OPTIONS: options }, '/bin/sh');
}
