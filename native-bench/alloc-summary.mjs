// Where the bytes of an allocation profile (lib/alloc-sampler.mjs) were allocated: by function,
// with the three callers above it, as megabytes and shares of all sampled bytes; with the number
// of electrons the stage handled in the profile's window, also bytes per electron.
// Usage: node native-bench/alloc-summary.mjs <file.heapprofile> [electrons] [top=25]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function frameName({ functionName, url, lineNumber }) {
  const file = url.replace(/^.*\//, '');
  return file === '' ? functionName || '(anonymous)' : `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

/** { totalBytes, sites: [[function < callers, bytes]] } of a sampling heap profile. */
export function summarizeAllocations(profile) {
  const sites = new Map();
  let totalBytes = 0;
  const walk = (node, callers) => {
    const name = frameName(node.callFrame);
    if (node.selfSize > 0) {
      totalBytes += node.selfSize;
      const site = [name, ...callers.slice(-3).reverse()].join(' < ');
      sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
    }
    for (const child of node.children ?? []) walk(child, [...callers, name]);
  };
  walk(profile.head, []);
  return { totalBytes, sites: [...sites].sort((a, b) => b[1] - a[1]) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const electrons = Number(process.argv[3] ?? 0);
  const top = Number(process.argv[4] ?? 25);
  const { totalBytes, sites } = summarizeAllocations(profile);
  const perElectron = (bytes) => (electrons > 0 ? `  ${(bytes / electrons).toFixed(0).padStart(5)} B/electron` : '');
  console.log(`${(totalBytes / 1e6).toFixed(1)} MB sampled${profile.windowMs ? ` over ${profile.windowMs} ms` : ''}${perElectron(totalBytes)}`);
  for (const [site, bytes] of sites.slice(0, top)) {
    console.log(`  ${((100 * bytes) / totalBytes).toFixed(1).padStart(5)}%  ${(bytes / 1e6).toFixed(1).padStart(7)} MB${perElectron(bytes)}  ${site}`);
  }
}
