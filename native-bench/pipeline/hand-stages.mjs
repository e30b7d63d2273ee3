// The settings of the hand-written node-rdkafka middle stage (pipeline/raw.mjs), by variant name,
// so Catenae is measured against the best of several reasonable hand-written stages (issue 20).
// `raw` is the stage as it always was; `raw-b<records per consume call>-l<linger.ms>-q<producer
// queue>` changes it (any part may be left out; q: `def` for librdkafka's default, 100000, or a
// number with k/m), `-e` reports failed deliveries (as a stage must to learn of lost records),
// `-j` runs it with the system's jemalloc (as the catenae launcher runs a link); `raw-user` is the
// stage of issue 20: consume(5000), linger.ms=5, queue.buffering.max.messages=500000, produce all,
// flush, commit.
// Only the middle stage takes these settings; the pipeline's source and sink stay as they are.
import { existsSync, readFileSync } from 'node:fs';
import { median } from '../lib/stats.mjs';

/** The hand-written stage as it always was. */
const RAW = { batch: 10_000, lingerMs: 5, queue: 500_000, failureReports: false, jemalloc: false };

/** Named hand-written stages, the default set of the drain and pipeline comparisons. */
export const HAND_VARIANTS = ['raw', 'raw-user', 'raw-b1000', 'raw-b1000-l0', 'raw-b5000-l0', 'raw-b10000-l0', 'raw-b5000-qdef', 'raw-b10000-q1m'];

const ALIASES = { 'raw-user': 'raw-b5000-l5-q500k' };

// A named stage with more settings after it: `raw-user-j` is raw-user's settings, then `-j`.
function expandAlias(variant) {
  for (const [name, settings] of Object.entries(ALIASES)) {
    if (variant === name || variant.startsWith(`${name}-`)) return settings + variant.slice(name.length);
  }
  return variant;
}

/** Whether a variant name is a hand-written node-rdkafka stage. */
export function isHandVariant(variant) {
  return variant === 'raw' || variant.startsWith('raw-');
}

function count(text) {
  if (text === 'def') return 0; // librdkafka's default
  const [, n, unit] = /^(\d+)([km]?)$/.exec(text) ?? [];
  if (n === undefined) throw new Error(`bad producer queue size "${text}"`);
  return Number(n) * { '': 1, k: 1000, m: 1_000_000 }[unit];
}

/** The settings of a hand variant: { batch, lingerMs, queue } (queue 0: librdkafka's default). */
export function handSettings(variant) {
  const settings = { ...RAW };
  for (const part of expandAlias(variant).split('-').slice(1)) {
    const value = part.slice(1);
    if (part[0] === 'b') settings.batch = Number(value);
    else if (part[0] === 'l') settings.lingerMs = Number(value);
    else if (part[0] === 'q') settings.queue = count(value);
    else if (part === 'e') settings.failureReports = true;
    else if (part === 'j') settings.jemalloc = true;
    else throw new Error(`unknown hand-stage setting "${part}" in ${variant}`);
  }
  return settings;
}

/** The environment that gives raw.mjs's map stage the variant's settings. */
export function handStageEnv(variant) {
  const { batch, lingerMs, queue, failureReports, jemalloc } = handSettings(variant);
  const env = { BENCH_RAW_BATCH: String(batch), BENCH_RAW_LINGER_MS: String(lingerMs), BENCH_RAW_QUEUE: String(queue), BENCH_RAW_FAILURE_REPORTS: failureReports ? '1' : '0' };
  if (jemalloc) env.LD_PRELOAD = jemallocPath();
  return env;
}

// The system's jemalloc, found where the catenae launcher looks for it: the candidates of the
// `for j in ...` loop of its sh preamble (packages/cli/src/bin.ts).
function jemallocPath() {
  const preamble = readFileSync(new URL('../../packages/cli/dist/bin.js', import.meta.url), 'utf8').split('\n')[1] ?? '';
  const candidates = /for j in ([^;]+);/.exec(preamble)?.[1]?.trim().split(/\s+/);
  if (candidates === undefined) throw new Error('a hand stage with `-j` reads where to look for jemalloc from packages/cli/dist/bin.js: run pnpm build');
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) throw new Error('a hand stage with `-j` needs jemalloc (apt-get install libjemalloc2)');
  return found;
}

/**
 * Prints the Catenae stage (`catenae`) against the best hand variant (the highest median rate)
 * and its CPU per electron against that one's and the least of any hand variant's.
 * `results`: { variant: runs[] }; `rate`, `cpu`: a run's figures.
 */
export function compareWithBestHand(results, rate, cpu, log = console.log) {
  const hands = Object.keys(results).filter(isHandVariant);
  if (!results.catenae || hands.length === 0) return;
  const m = (variant, figure) => median(results[variant].map(figure));
  const best = hands.reduce((a, v) => (m(v, rate) > m(a, rate) ? v : a));
  const leanest = hands.reduce((a, v) => (m(v, cpu) < m(a, cpu) ? v : a));
  log(`  catenae / best hand (${best}): rate ${(m('catenae', rate) / m(best, rate)).toFixed(3)}, CPU per electron ${(m('catenae', cpu) / m(best, cpu)).toFixed(3)}`);
  log(`  CPU per electron catenae / least of the hand stages (${leanest}): ${(m('catenae', cpu) / m(leanest, cpu)).toFixed(3)}`);
}
