// Small statistics for the benchmark reports: medians with their spread, percentiles.

/** The median of a list of numbers (the upper one of an even list). */
export function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The p-th percentile (0 < p < 100) of an ascending Float64Array or array, nearest rank. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** `{ median, min, max, runs }` of several runs of one figure. */
export function summarize(xs) {
  const runs = xs.filter((x) => Number.isFinite(x));
  if (runs.length === 0) return { median: NaN, min: NaN, max: NaN, runs: [] };
  return { median: median(runs), min: Math.min(...runs), max: Math.max(...runs), runs };
}

/** Formats a number with a fixed number of significant figures, grouping thousands. */
export function fmt(x, digits = 3) {
  if (!Number.isFinite(x)) return 'n/a';
  if (Math.abs(x) >= 10 ** digits) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(digits)).toString();
}

/** `median (min–max)` of a summary. */
export function spread(summary, digits = 3) {
  if (!Number.isFinite(summary.median)) return 'n/a';
  if (summary.runs.length < 2) return fmt(summary.median, digits);
  return `${fmt(summary.median, digits)} (${fmt(summary.min, digits)}–${fmt(summary.max, digits)})`;
}

/** A ratio of two medians, three decimals. */
export function ratio(a, b) {
  const r = a.median / b.median;
  return Number.isFinite(r) ? r.toFixed(2) : 'n/a';
}
