import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Logger } from 'winston';
import { DiagnosticsChannel, type TransportErrorMessage, type TransportLogMessage } from '../diagnostics.js';
import { RepeatFilter } from './repeat-filter.js';

type Level = 'warn' | 'info' | 'debug';

/**
 * Routes what the transport clients of one link instance (client ids starting with
 * `clientIdPrefix`) report on their own into its logger: errors they recover from by themselves
 * (a broker gone for a while, a missing topic) as warnings, and the client library's own log
 * lines (librdkafka's, from `@catenae/kafka`) by their syslog severity, at most as warnings: the
 * client retries what it logs, and what does fail reaches the runtime as an error of its own.
 * Repeated warnings and info lines are rate-limited (see {@link RepeatFilter}): a dead broker
 * makes librdkafka say the same thing every few milliseconds. Returns the unsubscriber, which logs at debug level
 * how many repeats were silenced since their last line.
 */
export function logTransportEvents(clientIdPrefix: string, logger: Logger): () => void {
  const repeats = new RepeatFilter();
  const log = (level: Level, line: string, fields: Record<string, unknown>) => {
    if (!logger.isLevelEnabled(level)) return;
    // Debug lines are asked for (--kafka-config debug=...): every one of them goes through.
    if (level === 'debug') return void logger.debug(line, fields);
    const admitted = repeats.admit(keyOf(line), Date.now());
    if (admitted === undefined) return;
    if (admitted.silenced === 0) logger.log(level, line, fields);
    else logger.log(level, `${line} (and ${admitted.silenced} more like it in the last ${Math.round(admitted.sinceMs / 1000)} s)`, { ...fields, repeated: admitted.silenced });
  };
  const onError = (message: unknown) => {
    const { clientId, client, error } = message as TransportErrorMessage;
    if (!clientId.startsWith(clientIdPrefix)) return;
    log('warn', `${client} client: ${error.message}`, { client });
  };
  const onLog = (message: unknown) => {
    const { clientId, client, severity, facility, message: text } = message as TransportLogMessage;
    if (!clientId.startsWith(clientIdPrefix)) return;
    log(levelOf(severity), `${client} client [${facility}]: ${text}`, { client, facility });
  };
  subscribe(DiagnosticsChannel.kafkaClientError, onError);
  subscribe(DiagnosticsChannel.kafkaLog, onLog);
  return () => {
    unsubscribe(DiagnosticsChannel.kafkaClientError, onError);
    unsubscribe(DiagnosticsChannel.kafkaLog, onLog);
    for (const [key, silenced] of repeats.takeSilenced()) logger.debug(`${key}: ${silenced} more like it before the stop (numbers shown as #)`, { repeated: silenced });
  };
}

// Lines that differ only in numbers (timings, counts, ports of retries), or in librdkafka's own
// note of what it suppressed, count as repeats.
function keyOf(line: string): string {
  return line.replace(/, \d+ identical error\(s\) suppressed/, '').replace(/\d+/g, '#');
}

/** syslog severities as winston's npm levels: 0-4 warn (the client retries them), 5-6 info, 7 debug. */
function levelOf(severity: number): Level {
  if (severity <= 4) return 'warn';
  return severity <= 6 ? 'info' : 'debug';
}
