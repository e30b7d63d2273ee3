import { Electron, Link, Rpc, Table, Transform, WindowClosed, type TimeWindow, type WindowedTable } from '@catenae/core';
import type { WebLog } from './web-log.js';

const HOUR = 3_600_000;

/** What the analyzer keeps per user and hour. */
export interface Activity {
  requests: number;
  errors: number;
  totalMs: number;
  paths: Record<string, number>;
}

/** One user's last hour, as the analyzer emits it every five minutes. */
export interface UserSummary {
  user: string;
  from: string;
  to: string;
  requests: number;
  errorRate: number;
  meanMs: number;
  topPath: string;
}

/**
 * The Python library's log analyzer, done with windows: for each user, the last hour of their
 * requests (hopping windows of one hour every five minutes, over the time each request was
 * served), and once an hour has passed (plus two minutes of grace for logs that arrive late), one
 * summary of it on `user_summaries`. Logs later than that go to `user_logs.late`. Start as many
 * analyzers as you like: they share the users, and a crash loses no window.
 */
@Link({ inputs: ['user_logs'], output: 'user_summaries' })
export class Analyzer {
  @Table({ window: { size: '1h', advance: '5m', grace: '2m', late: 'topic' } })
  activity!: WindowedTable<string, Activity>;

  @Transform()
  record(request: Electron<WebLog>): void {
    const { path, status, durationMs } = request.value;
    this.activity.update(request.key!, (hour) => {
      const next = hour === undefined ? { requests: 0, errors: 0, totalMs: 0, paths: {} } : { ...hour, paths: { ...hour.paths } };
      next.requests++;
      if (status >= 500) next.errors++;
      next.totalMs += durationMs;
      next.paths[path] = (next.paths[path] ?? 0) + 1;
      return next;
    });
  }

  @WindowClosed('activity')
  summarize(user: string, window: TimeWindow, hour: Activity): Electron<UserSummary> {
    const topPath = Object.entries(hour.paths).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '-';
    const summary: UserSummary = {
      user,
      from: new Date(window.start).toISOString(),
      to: new Date(window.end).toISOString(),
      requests: hour.requests,
      errorRate: hour.errors / hour.requests,
      meanMs: Math.round(hour.totalMs / hour.requests),
      topPath,
    };
    return new Electron({ key: user, value: summary, timestamp: window.end });
  }

  /** A user's hour ending at `at` (ms), asked by key: `ctx.rpc.call({ link: 'Analyzer', key: user }, 'hour', { user, at })`. */
  @Rpc()
  hour({ user, at }: { user: string; at: number }): Activity | undefined {
    return this.activity.range(user, at - HOUR, at).find(([window]) => window.end === at)?.[1];
  }
}
