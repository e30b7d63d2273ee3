// What every process of the 3-stage pipeline benchmark shares, whatever client it is written on:
// the settings (from BENCH_* variables), the values, the pacing of the latency runs, the sink's
// latency figures, and the lines it talks to the harness with (JSON on stdout; `go` on stdin).
//
// Latency values carry their send time: 16 decimal digits of process.hrtime (CLOCK_MONOTONIC,
// the same clock in every process of the machine), one phase character ('w' = warm-up, not
// counted; '0'.. = the index of the rate), then filler up to 100 bytes.
import { writeFileSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from './stats.mjs';

export const VALUE_BYTES = 100;
const STAMP_DIGITS = 16;
const FILLER = 'x'.repeat(VALUE_BYTES - STAMP_DIGITS - 1);
/** The value of the throughput runs, as a string (Catenae) and as bytes (the raw clients). */
export const PLAIN_VALUE = 'x'.repeat(VALUE_BYTES);
export const PLAIN_BYTES = Buffer.from(PLAIN_VALUE);

/** The run's settings, read from the environment. */
export function pipelineSettings(env = process.env) {
  const mode = env.BENCH_MODE === 'latency' ? 'latency' : 'throughput';
  const rates = (env.BENCH_RATES ?? '1000,5000,10000').split(',').map(Number);
  const phaseMs = Number(env.BENCH_PHASE_MS ?? 8000);
  const warmupMs = Number(env.BENCH_WARMUP_MS ?? 1000);
  const count = Number(env.BENCH_COUNT ?? 1_000_000);
  const expected = mode === 'throughput' ? count : rates.reduce((n, rate) => n + perPhase(rate, warmupMs) + perPhase(rate, phaseMs), 0);
  return {
    mode,
    rates,
    phaseMs,
    warmupMs,
    count,
    expected,
    brokers: env.BENCH_BROKERS ?? '127.0.0.1:9092',
    input: env.BENCH_IN,
    output: env.BENCH_OUT,
    group: env.BENCH_GROUP,
  };
}

function perPhase(rate, ms) {
  return Math.round((rate * ms) / 1000);
}

/** Now on the machine-wide monotonic clock, in nanoseconds. */
export function nowNs() {
  return Number(process.hrtime.bigint());
}

/** A latency value stamped now, for phase `tag` ('w' or a digit). */
export function stampedValue(tag) {
  return String(nowNs()).padStart(STAMP_DIGITS, '0') + tag + FILLER;
}

/**
 * Sends at each rate of the settings in turn (a warm-up, then the measured phase), calling
 * `send(tag)` for every value: every millisecond it sends what is due since the phase began, so
 * the average rate is exact however the timers drift. `afterBurst` runs after each burst.
 */
export async function pace(settings, send, afterBurst = () => {}) {
  for (let i = 0; i < settings.rates.length; i++) {
    const rate = settings.rates[i];
    for (const [tag, ms] of [['w', settings.warmupMs], [String(i), settings.phaseMs]]) {
      const total = perPhase(rate, ms);
      const start = performance.now();
      let sent = 0;
      while (sent < total) {
        const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
        while (sent < due) {
          send(tag);
          sent++;
        }
        afterBurst();
        await sleep(1);
      }
    }
  }
}

/** Collects the sink's latencies per phase; warm-up values are only counted. */
export class LatencyRecorder {
  #phases;

  constructor(settings) {
    this.rates = settings.rates;
    this.#phases = settings.rates.map(() => []);
    this.#sends = settings.rates.map(() => []);
  }

  #sends;

  /** Records one value (a string or bytes) received at `now` (nanoseconds). */
  record(value, now) {
    const text = typeof value === 'string' ? value : value.toString('latin1', 0, STAMP_DIGITS + 1);
    const phase = text.charCodeAt(STAMP_DIGITS) - 48;
    if (phase < 0 || phase > 9) return;
    const sent = Number(text.slice(0, STAMP_DIGITS));
    this.#phases[phase]?.push(now - sent);
    this.#sends[phase]?.push(sent);
  }

  /** Per rate: samples and p50/p99/p99.9/max in milliseconds. BENCH_LATENCY_DUMP=file also writes every sample (send time and latency, ns) as JSON. */
  summary() {
    if (process.env.BENCH_LATENCY_DUMP) writeFileSync(process.env.BENCH_LATENCY_DUMP, JSON.stringify({ rates: this.rates, sends: this.#sends, phases: this.#phases }));
    return this.#phases.map((samples, i) => {
      const sorted = Float64Array.from(samples).sort();
      const ms = (p) => percentile(sorted, p) / 1e6;
      return { rate: this.rates[i], n: sorted.length, p50: ms(50), p99: ms(99), p999: ms(99.9), max: sorted[sorted.length - 1] / 1e6 };
    });
  }
}

/** One line to the harness (synchronous, so it is out before an exit). */
export function tell(message) {
  writeSync(1, `${JSON.stringify(message)}\n`);
}

/** Resolves when the harness writes `go` on stdin. */
export function untilGo() {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (line.trim() !== 'go') return;
      lines.close();
      process.stdin.unref?.();
      resolve();
    });
  });
}

let isExitReported = false;
/** Tells the harness this process's CPU time (user + system, all threads) when it exits (under the harness only). */
export function reportCpuAtExit() {
  if (isExitReported || process.env.BENCH_MODE === undefined) return;
  isExitReported = true;
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    tell({ exitCpuUs: user + system });
  });
}
