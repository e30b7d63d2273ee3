import type { UserSummary } from './analyzer.js';
import type { WebLog } from './web-log.js';

const HOUR = 3_600_000;
const STEP = 5 * 60_000;

/**
 * The summaries the analyzer should emit for `logs`, computed directly: per user, every hour
 * window starting on a five-minute mark that holds one of their requests. For tests and the README.
 */
export function summarizeDirectly(logs: readonly WebLog[]): UserSummary[] {
  const windows = new Map<string, { user: string; start: number; logs: WebLog[] }>();
  for (const log of logs) {
    for (let start = Math.floor(log.time / STEP) * STEP; start > log.time - HOUR; start -= STEP) {
      const id = `${log.user}@${start}`;
      let window = windows.get(id);
      if (window === undefined) windows.set(id, (window = { user: log.user, start, logs: [] }));
      window.logs.push(log);
    }
  }
  return [...windows.values()].map(({ user, start, logs: inWindow }) => {
    const paths = new Map<string, number>();
    for (const log of inWindow) paths.set(log.path, (paths.get(log.path) ?? 0) + 1);
    const topPath = [...paths.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
    const errors = inWindow.filter((log) => log.status >= 500).length;
    const totalMs = inWindow.reduce((sum, log) => sum + log.durationMs, 0);
    return {
      user,
      from: new Date(start).toISOString(),
      to: new Date(start + HOUR).toISOString(),
      requests: inWindow.length,
      errorRate: errors / inWindow.length,
      meanMs: Math.round(totalMs / inWindow.length),
      topPath,
    };
  });
}

/** Summaries in a stable order, for comparisons. */
export function sortSummaries(summaries: readonly UserSummary[]): UserSummary[] {
  return [...summaries].sort((a, b) => a.user.localeCompare(b.user) || a.from.localeCompare(b.from));
}
