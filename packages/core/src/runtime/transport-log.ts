import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Logger } from 'winston';
import { DiagnosticsChannel, type TransportErrorMessage, type TransportLogMessage } from '../diagnostics.js';

/**
 * Routes what the transport clients of one link instance (client ids starting with
 * `clientIdPrefix`) report on their own into its logger: errors they recover from by themselves
 * (a broker gone for a while, a missing topic) as warnings, and the client library's own log
 * lines (librdkafka's, from `@catenae/kafka`) at their syslog severity. Returns the unsubscriber.
 */
export function logTransportEvents(clientIdPrefix: string, logger: Logger): () => void {
  const onError = (message: unknown) => {
    const { clientId, client, error } = message as TransportErrorMessage;
    if (clientId.startsWith(clientIdPrefix)) logger.warn(`${client} client: ${error.message}`);
  };
  const onLog = (message: unknown) => {
    const { clientId, client, severity, facility, message: line } = message as TransportLogMessage;
    if (!clientId.startsWith(clientIdPrefix)) return;
    const level = levelOf(severity);
    if (logger.isLevelEnabled(level)) logger.log(level, `${client} client [${facility}]: ${line}`, { client, facility });
  };
  subscribe(DiagnosticsChannel.kafkaClientError, onError);
  subscribe(DiagnosticsChannel.kafkaLog, onLog);
  return () => {
    unsubscribe(DiagnosticsChannel.kafkaClientError, onError);
    unsubscribe(DiagnosticsChannel.kafkaLog, onLog);
  };
}

/** syslog severities as winston's npm levels: 0-3 error, 4 warning, 5-6 info, 7 debug. */
function levelOf(severity: number): 'error' | 'warn' | 'info' | 'debug' {
  if (severity <= 3) return 'error';
  if (severity === 4) return 'warn';
  return severity <= 6 ? 'info' : 'debug';
}
