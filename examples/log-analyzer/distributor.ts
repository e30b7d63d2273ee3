import { Electron, Link, Transform } from '@catenae/core';
import { parseWebLog, type WebLog } from './web-log.js';

/**
 * Reads access-log lines and sends each request on keyed by its user, stamped with the time it
 * was served: every log of one user reaches the same analyzer instance, in event time. Lines that
 * are not access-log lines fail and go to `web_logs.dlq`.
 */
@Link({ inputs: ['web_logs'], output: 'user_logs' })
export class Distributor {
  @Transform()
  distribute(line: Electron<string>): Electron<WebLog> {
    const log = parseWebLog(line.value);
    if (log === undefined) throw new Error(`not an access-log line: ${line.value.slice(0, 80)}`);
    return new Electron({ key: log.user, value: log, timestamp: log.time });
  }
}
