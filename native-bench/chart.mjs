// The benchmark chart as a hand-written SVG: throughput, CPU per electron, and latency
// percentiles, each bar the median of the runs with a whisker from the lowest to the highest.
import { fmt } from './lib/stats.mjs';

const COLORS = { raw: '#4c78a8', kafkajs: '#f58518', catenae: '#54a24b', embedded: '#b279a2' };
const W = 1280;
const H = 450;
const PANEL_TOP = 84;
const PANEL_H = 290;

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
const text = (x, y, s, attrs = '') => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;
const rect = (x, y, w, h, fill, attrs = '') => `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${Math.max(0, h).toFixed(1)}" fill="${fill}" ${attrs}/>`;
const line = (x1, y1, x2, y2, stroke = '#333', width = 1) => `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${stroke}" stroke-width="${width}"/>`;

function niceMax(x) {
  const p = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((v) => v >= x);
}

// A panel of single bars (one per variant) on a linear axis.
function barPanel(x0, width, title, bars) {
  const out = [text(x0 + width / 2, PANEL_TOP - 16, title, 'text-anchor="middle" font-weight="bold"')];
  const max = niceMax(Math.max(...bars.map((b) => b.summary.max).filter(Number.isFinite), 1));
  const y = (v) => PANEL_TOP + PANEL_H - (v / max) * PANEL_H;
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    out.push(line(x0, y(v), x0 + width, y(v), '#ddd'), text(x0 - 6, y(v) + 4, fmt(v, 3), 'text-anchor="end" font-size="11"'));
  }
  const slot = width / bars.length;
  bars.forEach((b, i) => {
    const cx = x0 + slot * i + slot / 2;
    const bw = slot * 0.55;
    const s = b.summary;
    if (!Number.isFinite(s.median)) return;
    out.push(rect(cx - bw / 2, y(s.median), bw, y(0) - y(s.median), COLORS[b.variant] ?? '#888'));
    out.push(line(cx, y(s.min), cx, y(s.max)), line(cx - 6, y(s.min), cx + 6, y(s.min)), line(cx - 6, y(s.max), cx + 6, y(s.max)));
    out.push(text(cx, Math.min(y(s.median), y(s.max)) - 6, fmt(s.median, 3), 'text-anchor="middle" font-size="11"'));
    out.push(text(cx, PANEL_TOP + PANEL_H + 16, b.label, 'text-anchor="middle" font-size="11"'));
  });
  return out;
}

// Latency: per rate, one bar per variant up to p99 (light) with p50 inside (dark), log axis.
function latencyPanel(x0, width, latency) {
  const out = [
    text(x0 + width / 2, PANEL_TOP - 30, 'latency source → sink, ms (log scale)', 'text-anchor="middle" font-weight="bold"'),
    text(x0 + width / 2, PANEL_TOP - 14, 'p50 dark, p99 light, whisker: p99 lowest–highest run', 'text-anchor="middle" font-size="11" fill="#555"'),
  ];
  const variants = Object.keys(latency);
  const rates = latency[variants[0]].map((r) => r.rate);
  const all = variants.flatMap((v) => latency[v].flatMap((r) => [r.p50.min, r.p99.max])).filter((v) => Number.isFinite(v) && v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const y = (v) => PANEL_TOP + PANEL_H - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * PANEL_H;
  for (let v = lo; v <= hi; v *= 10) out.push(line(x0, y(v), x0 + width, y(v), '#ddd'), text(x0 - 6, y(v) + 4, fmt(v, 3), 'text-anchor="end" font-size="11"'));
  const group = width / rates.length;
  rates.forEach((rate, g) => {
    const bw = (group * 0.7) / variants.length;
    variants.forEach((variant, k) => {
      const r = latency[variant][g];
      const x = x0 + group * g + group * 0.15 + bw * k;
      const color = COLORS[variant] ?? '#888';
      if (!Number.isFinite(r.p99.median)) return;
      out.push(rect(x + 2, y(r.p99.median), bw - 4, y(lo) - y(r.p99.median), color, 'fill-opacity="0.35"'));
      out.push(rect(x + 2, y(r.p50.median), bw - 4, y(lo) - y(r.p50.median), color));
      const cx = x + bw / 2;
      out.push(line(cx, y(r.p99.min), cx, y(r.p99.max)), line(cx - 4, y(r.p99.max), cx + 4, y(r.p99.max)), line(cx - 4, y(r.p99.min), cx + 4, y(r.p99.min)));
      out.push(text(cx, y(r.p99.max) - 4, fmt(r.p99.median, 2), 'text-anchor="middle" font-size="10"'));
    });
    out.push(text(x0 + group * g + group / 2, PANEL_TOP + PANEL_H + 16, `${fmt(rate, 3)}/s`, 'text-anchor="middle" font-size="12"'));
  });
  return out;
}

/** The SVG document of a results object (see run.mjs). */
export function renderChart(results) {
  const label = { raw: 'node-rdkafka', kafkajs: 'KafkaJS', catenae: 'Catenae', embedded: 'embedded' };
  const short = { raw: 'rdkafka', kafkajs: 'KafkaJS', catenae: 'Catenae', embedded: 'embedded' };
  const tp = Object.entries(results.throughput).map(([variant, r]) => ({ variant, label: short[variant], summary: r.rate }));
  const cpu = Object.entries(results.throughput).map(([variant, r]) => ({ variant, label: short[variant], summary: r.cpuUs }));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="13">`,
    rect(0, 0, W, H, '#fff'),
    text(20, 26, `Catenae vs node-rdkafka vs KafkaJS: source → map → sink, 100-byte values, 4 partitions (${results.machine.summary})`, 'font-size="15" font-weight="bold"'),
    ...barPanel(90, 300, 'throughput, electrons/s at the sink', tp),
    ...barPanel(480, 290, 'CPU µs per electron, all stages', cpu),
    ...(results.latency ? latencyPanel(870, 390, results.latency) : []),
  ];
  const legend = Object.entries(label).map(([v, name], i) => rect(20 + i * 235, H - 30, 14, 14, COLORS[v]) + text(40 + i * 235, H - 18, `${name}${v === 'catenae' ? ' (3 × catenae run -k)' : v === 'embedded' ? ' (catenae run, no -k)' : ' by hand'}`));
  parts.push(...legend, text(W - 20, H - 18, `median of ${results.settings.runs} runs; whiskers: lowest–highest run`, 'text-anchor="end" font-size="11" fill="#555"'), '</svg>');
  return parts.join('\n');
}
