/** One line of a web server's access log, as the log analyzer reads it. */
export interface WebLog {
  /** When the request was served: the event time, in milliseconds since the epoch. */
  time: number;
  user: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

// 2026-01-01T10:04:05.000Z ana GET /cart 200 35ms
const LINE = /^(\S+)\s+(\S+)\s+([A-Z]+)\s+(\S+)\s+(\d{3})\s+(\d+)ms$/;

/** Parses an access-log line; undefined for a line that is not one. */
export function parseWebLog(line: string): WebLog | undefined {
  const match = LINE.exec(line.trim());
  if (match === null) return undefined;
  const time = Date.parse(match[1]!);
  if (Number.isNaN(time)) return undefined;
  return { time, user: match[2]!, method: match[3]!, path: match[4]!, status: Number(match[5]), durationMs: Number(match[6]) };
}

/** Formats a log as a line `parseWebLog` reads. */
export function formatWebLog(log: WebLog): string {
  return `${new Date(log.time).toISOString()} ${log.user} ${log.method} ${log.path} ${log.status} ${log.durationMs}ms`;
}

const USERS = ['ana', 'bo', 'chen', 'dee', 'eli', 'fay', 'gus', 'hal'];
const PATHS = ['/', '/cart', '/search', '/item/42', '/checkout', '/login'];

const DAY_MS = 86_400_000;

/**
 * Where the source's sample begins: the start of yesterday (UTC), the same all day long. The
 * sample, its late requests and the closing ones (hours later) then lie in the past: Kafka 4
 * refuses records stamped more than an hour ahead of its clock (`log.message.timestamp.after.max.ms`),
 * so a sample from the start of today failed between midnight and 03:00.
 */
export function sampleStart(now = Date.now()): number {
  return (Math.floor(now / DAY_MS) - 1) * DAY_MS;
}

/**
 * A deterministic sample of `count` requests over `hours` hours from `start`: users, paths and
 * durations vary; one request in twelve fails (status 500). Sorted by time.
 */
export function sampleWebLogs(count: number, start: number, hours: number): WebLog[] {
  const logs: WebLog[] = [];
  // mulberry32: a small deterministic generator in 32-bit integer arithmetic.
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const span = hours * 3_600_000;
  for (let i = 0; i < count; i++) {
    const time = start + Math.floor((i * span) / count);
    logs.push({ time, user: USERS[next(USERS.length)]!, method: 'GET', path: PATHS[next(PATHS.length)]!, status: next(12) === 0 ? 500 : 200, durationMs: 5 + next(200) });
  }
  return logs;
}

/** One request per user two hours after the last of `logs`: event time then passes every window of them. */
export function closingWebLogs(logs: readonly WebLog[]): WebLog[] {
  const after = logs.reduce((latest, log) => Math.max(latest, log.time), 0) + 2 * 3_600_000;
  return USERS.map((user) => ({ time: after, user, method: 'GET', path: '/', status: 200, durationMs: 1 }));
}
