// The table and window parts of RESULTS.md's generated sections (issues 15 and 17): the count
// against Kafka Streams, restores, the windowed count and the memory of a big table.
import { goal, table } from './lib/markdown.mjs';
import { fmt, ratio, spread } from './lib/stats.mjs';

const SYSTEM = {
  catenae: 'Catenae, `catenae run --state-dir` (LMDB)',
  'ks-default': 'Kafka Streams, defaults (10 MB record cache)',
  'ks-nocache': 'Kafka Streams, cache off (`statestore.cache.max.bytes=0`)',
};
const MODE = { 'at-least-once': 'at-least-once (KS `at_least_once`)', 'exactly-once': '`--eos` / KS `exactly_once_v2`' };
const MIB = 2 ** 20;

const seconds = (summary) => ({ ...summary, median: summary.median / 1000, min: summary.min / 1000, max: summary.max / 1000, runs: summary.runs.map((x) => x / 1000) });
const mib = (summary) => ({ ...summary, median: summary.median / MIB, min: summary.min / MIB, max: summary.max / MIB, runs: summary.runs.map((x) => x / MIB) });

function runRow(label, x) {
  return [label, spread(x.rate), spread(seconds(x.visibleMs)), spread(seconds(x.tailMs), 2), spread(x.cpuS, 2), spread(x.brokerCpuS, 2), spread(mib(x.peakRssBytes)), fmt(x.outputRecords.median), fmt(x.changelogRecords.median)];
}

const RUN_HEAD = ['system', 'records/s (first → last record processed)', 'final counts visible (s after the first record)', 'of which after the last record (s)', 'CPU s', 'broker CPU s', 'peak RSS (MiB)', 'output records', 'changelog records'];

function ratios(bySystem) {
  const c = bySystem.catenae;
  if (!c) return [];
  return ['ks-default', 'ks-nocache']
    .filter((s) => bySystem[s])
    .map((s) => `Catenae / ${SYSTEM[s]}: throughput **${ratio(c.rate, bySystem[s].rate)}**, time to final counts ${ratio(c.visibleMs, bySystem[s].visibleMs)}, CPU ${ratio(c.cpuS, bySystem[s].cpuS)}.`);
}

/** The count against Kafka Streams, per mode. */
export function countSection(r) {
  const s = r.settings;
  const lines = [
    `### Keyed tables: a count per key, Catenae against Kafka Streams (${fmt(s.tableCount)} records over ${fmt(s.tableKeys)} keys)`,
    '',
    'One pre-produced input topic (4 partitions, 8-byte values), read by each system in turn into a fresh output topic, fresh group and state; ' +
      'each emits every key\'s new count (Kafka Streams with its defaults emits what its record cache lets through at each commit). ' +
      'Throughput: input records / (first → last input record processed), as each process stamps them itself. ' +
      'Final counts visible: from the first record processed until a read_committed consumer can read every key\'s final count. ' +
      'CPU: the process and the broker over that span (/proc, all threads). Peak RSS: VmHWM of the process. How and why: see "Tables against Kafka Streams" below.',
  ];
  for (const [mode, bySystem] of Object.entries(r.tables)) {
    lines.push('', `#### ${MODE[mode]}`, '', table(RUN_HEAD, Object.entries(bySystem).map(([sys, x]) => runRow(SYSTEM[sys], x))));
    const notes = ratios(bySystem);
    if (notes.length > 0) lines.push('', notes.join('\n'));
  }
  return lines.join('\n');
}

/** Restores of the count's table and of a bigger one. */
export function restoreSection(r) {
  const head = ['table', 'restored from', 'changelog records read', 'restore (s)', 'records/s', 'start → ready (s)', 'entries once ready'];
  const rows = [];
  for (const [mode, bySystem] of Object.entries(r.tables ?? {})) {
    const x = bySystem.catenae?.restore;
    if (!x) continue;
    rows.push([`${fmt(r.settings.tableKeys)} keys (after the ${mode} count)`, 'the changelog, empty state directory', spread(x.records), spread(seconds(x.restoreMs), 2), spread(x.rate), spread(seconds(x.readyMs), 2), fmt(x.entries.median)]);
  }
  const b = r.restores;
  const one = (what, x) => [`${fmt(b.keys)} keys`, what, fmt(x.records), fmt(x.restoreMs / 1000, 2), x.records > 0 ? fmt(x.rate) : '–', fmt(x.readyMs / 1000, 2), fmt(x.entries)];
  rows.push(one(`the local store: restart after kill -9 half-way (the changelog held ${fmt(b.changelogAtKill)} records then)`, b.afterKill));
  rows.push(one(`the changelog (${fmt(b.changelogTotal)} records), empty state directory`, b.fromChangelog));
  rows.push(one('the local store: restart after a clean stop', b.afterStop));
  return [
    '### Restores of a table (Catenae, `--state-dir`)',
    '',
    'A new instance of the count\'s group, in the count\'s mode, once the count has stopped; the restore\'s records and time from its `restored ...` line, start → ready from its spawn until `/ready` answers 200. ' +
      `The ${fmt(b.keys)}-key table: one record per key, at-least-once; the restart after kill -9 comes once the killed member's session (6 s) has timed out, and entries once ready are those the killed instance had made durable.`,
    '',
    table(head, rows),
  ].join('\n');
}

/** The windowed count against Kafka Streams. */
export function windowSection(r) {
  const s = r.settings;
  const rows = Object.entries(r.windows).map(([sys, x]) => runRow(SYSTEM[sys], x));
  if (!r.windows.catenae) rows.unshift(['Catenae, windowed table', 'not measured: the windowed link does not exist yet (TODO(#17) in `windows.bench.mjs`)', '', '', '', '', '', '', '']);
  const notes = ratios(r.windows);
  return [
    `### Windows: a count per key and 1-minute tumbling window of event time (${fmt(s.tableCount)} records over ${fmt(s.tableKeys)} keys, ${fmt(s.windowSpanMs / 60_000)} minutes of event time)`,
    '',
    'As the count above, at-least-once; the records\' timestamps spread evenly over that span (in order within each partition); Kafka Streams with `TimeWindows.ofSizeWithNoGrace(1 min)`. Output keys are `<key>@<window start>`.',
    '',
    table(RUN_HEAD, rows),
    ...(notes.length > 0 ? ['', notes.join('\n')] : []),
  ].join('\n');
}

/** The goals of issues 15 and 17 this run measured. */
export function tableGoals(r) {
  const rows = [];
  for (const [mode, bySystem] of Object.entries(r.tables ?? {})) {
    for (const ks of ['ks-default', 'ks-nocache']) {
      if (!bySystem.catenae || !bySystem[ks]) continue;
      const x = bySystem.catenae.rate.median / bySystem[ks].rate.median;
      rows.push([`#15 count throughput ≥ Kafka Streams, ${mode}, ${ks === 'ks-default' ? 'KS defaults' : 'KS cache off'}`, x.toFixed(2), goal(x >= 1)]);
    }
  }
  if (r.windows) {
    for (const ks of ['ks-default', 'ks-nocache']) {
      if (!r.windows[ks]) continue;
      const x = r.windows.catenae ? r.windows.catenae.rate.median / r.windows[ks].rate.median : NaN;
      rows.push([`#17 windowed count throughput ≥ Kafka Streams, ${ks === 'ks-default' ? 'KS defaults' : 'KS cache off'}`, Number.isFinite(x) ? x.toFixed(2) : 'not measured (TODO(#17))', Number.isFinite(x) ? goal(x >= 1) : '']);
    }
  }
  if (rows.length === 0) return undefined;
  return ['### Goals of issues 15 and 17, this run', '', table(['goal', 'measured', ''], rows), '', 'The memory goal of issue 15 (10M keys under 1 GiB) is measured apart: see "Memory of a table of 10M keys" below.'].join('\n');
}

/** The memory of a big table (run.mjs --only table-memory). */
export function memorySection(r) {
  const m = r.tableMemory;
  const label = { lmdb: '`--state-dir <dir>` (LMDB)', memory: '`--state-dir memory`' };
  const rows = Object.entries(m).map(([v, x]) =>
    x.failed
      ? [label[v], `${fmt(x.entries)} when it died: ${x.failed}`, '–', `**${fmt(x.peakRssBytes / MIB)}** (sampled)`, `${fmt(x.peakAnonBytes / MIB)} / ${fmt(x.peakFileBytes / MIB)}`, '–', '–']
      : [label[v], fmt(x.entries), fmt(x.rate), `**${fmt(x.peakRssBytes / MIB)}**`, `${fmt(x.peakAnonBytes / MIB)} / ${fmt(x.peakFileBytes / MIB)}`, fmt(x.rssAtEndBytes / MIB), v === 'memory' ? '–' : fmt(x.storeBytes / MIB)],
  );
  const lines = [
    `### Memory of a table of ${fmt(r.settings.memoryKeys)} keys (\`run.mjs --only table-memory\`, ${r.machine.date}, ${r.seconds} s)`,
    '',
    `Machine as above${r.machine.loadAverage ? `; load average (1 min) ${r.machine.loadAverage.start.toFixed(1)} at the start, ${r.machine.loadAverage.end.toFixed(1)} at the end` : ''}, commit ${/commit (\S+)/.exec(r.machine.description)?.[1] ?? 'unknown'}. ` +
      'Distinct keys, one record each, through the counting link (at-least-once), one run per configuration. Peak RSS: VmHWM of the process; anonymous / file-backed: the largest of each sampled every 250 ms (LMDB\'s pages are a mapped file); at the end: `process_resident_memory_bytes` once every count is out.',
    '',
    table(['table', 'entries', 'records/s', 'peak RSS (MiB)', 'anonymous / file-backed peaks (MiB)', 'RSS at the end (MiB)', 'store on disk (MiB)'], rows),
  ];
  if (m.lmdb) {
    const ok = !m.lmdb.failed && m.lmdb.peakRssBytes < 2 ** 30;
    lines.push('', `Goal of issue 15, RSS under 1 GiB with the state directory: ${m.lmdb.failed ? 'the link died' : `${fmt(m.lmdb.peakRssBytes / MIB)} MiB`}, ${goal(ok)}.`);
  }
  return lines.join('\n');
}
