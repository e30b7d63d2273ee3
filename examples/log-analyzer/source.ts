import { Electron, Generator, Link, type Context } from '@catenae/core';
import { closingWebLogs, formatWebLog, sampleStart, sampleWebLogs, type WebLog } from './web-log.js';

const SERVER = 'web-1';

/**
 * Writes a sample access log to `web_logs`, a line per request, keyed by the server it came from
 * (one server here), so the lines of one server stay in order on one partition, as a log shipper
 * would write them. Arguments: `--count N` requests (default 2000) over `--hours H` hours (default 3) from
 * the start of yesterday (UTC); `--close` then adds one request per user two hours after the sample,
 * so event time passes every window of the sample and all of them close. As logs from several
 * servers do, `--disorder` sends each pair of neighbours in reverse (seconds apart), and `--late N`
 * sends the first N requests again, with path `/late`, after the sample (an hour and more late).
 */
@Link({ output: 'web_logs' })
export class LogSource {
  @Generator()
  *lines(ctx: Context) {
    const count = numberArg(ctx.args, '--count', 2000);
    const hours = numberArg(ctx.args, '--hours', 3);
    const logs = sampleWebLogs(count, sampleStart(), hours);
    const sent = ctx.args.includes('--disorder') ? logs.map((_, i) => logs[i % 2 === 0 ? Math.min(i + 1, logs.length - 1) : i - 1]!) : logs;
    const line = (log: WebLog) => new Electron({ key: SERVER, value: formatWebLog(log) });
    for (const log of sent) yield line(log);
    for (const log of logs.slice(0, ctx.args.includes('--late') ? numberArg(ctx.args, '--late', 0) : 0)) yield line({ ...log, path: '/late' });
    if (ctx.args.includes('--close')) for (const log of closingWebLogs(logs)) yield line(log);
    ctx.logger.info(`sent ${count} log lines`);
  }
}

function numberArg(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  const value = index >= 0 ? Number(args[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} takes a positive number`);
  return value;
}
