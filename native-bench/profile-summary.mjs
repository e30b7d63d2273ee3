// Where the time of a V8 CPU profile (.cpuprofile, from node --cpu-prof) goes: self time by
// function and by area (the runtime's files, the Kafka transport, node-rdkafka's JS, Node's own
// modules, native code and GC), as percentages of the samples.
// Usage: node native-bench/profile-summary.mjs <file.cpuprofile> [top=30]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const AREAS = [
  ['(garbage collector)', /^\(garbage collector\)$/],
  ['(idle)', /^\(idle\)$/],
  ['(program: native, outside JS)', /^\(program\)$/],
  ['@catenae/core runtime', /packages\/core\/dist\/runtime\//],
  ['@catenae/core codec', /packages\/core\/dist\/codec\//],
  ['@catenae/core other', /packages\/core\/dist\//],
  ['@catenae/kafka transport', /packages\/kafka\/dist\//],
  ['node-rdkafka JS', /node-rdkafka\/lib\//],
  ['winston/logging', /winston|logform/],
  ['benchmark link', /native-bench\//],
  ['node: events', /^node:events$/],
  ['node: buffer', /^node:buffer$|node:internal\/buffer/],
  ['node: timers', /node:internal\/timers|^node:timers/],
  ['node: other', /^node:/],
];

function areaOf(node) {
  const { functionName, url } = node.callFrame;
  for (const [name, pattern] of AREAS) if (pattern.test(functionName) || pattern.test(url)) return name;
  return url === '' ? `native: ${functionName || '(anonymous)'}` : 'other JS';
}

/** { totalMs, areas: [[name, ms]], functions: [[name, ms]] } of a profile. */
export function summarizeProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const areas = new Map();
  const functions = new Map();
  let totalMs = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    totalMs += ms;
    const area = areaOf(node);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*\/(packages|node_modules\/\.pnpm\/[^/]+\/node_modules)\//, '')}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'} ${where}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs, areas: sorted(areas), functions: sorted(functions) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { totalMs, areas, functions } = summarizeProfile(JSON.parse(readFileSync(process.argv[2], 'utf8')));
  const top = Number(process.argv[3] ?? 30);
  const busy = totalMs - (areas.find(([a]) => a === '(idle)')?.[1] ?? 0);
  const pct = (ms) => `${((100 * ms) / busy).toFixed(1).padStart(5)}%`;
  console.log(`${(totalMs / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s not idle; shares of the non-idle time:`);
  for (const [area, ms] of areas) if (area !== '(idle)') console.log(`  ${pct(ms)}  ${area}`);
  console.log('top functions (self time):');
  for (const [name, ms] of functions.filter(([n]) => !n.startsWith('(idle)')).slice(0, top)) console.log(`  ${pct(ms)}  ${name}`);
}
