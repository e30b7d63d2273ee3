import winston from 'winston';
import type { CauseFields } from './error-fields.js';
import type { LogFormat, LogLevel } from './start-options.js';

/**
 * A winston logger whose every line carries the link name and instance uid. In JSON every field a
 * line was logged with is a property (`topic`, `partition`, `offset`, `code`, `stack`, `cause`,
 * ...); pretty lines show the message, and the stack of an error at debug level.
 */
export function createLogger(level: LogLevel, format: LogFormat, link: string, uid: string): winston.Logger {
  const showsStacks = level === 'debug';
  const lineFormat =
    format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
          winston.format.printf((info) => {
            const line = `${info.timestamp as string} ${info.level.padEnd(5)} ${link}(${uid}) ${info.message as string}`;
            return showsStacks && typeof info.stack === 'string' ? `${line}\n${stackLines(info.stack, info.cause as CauseFields | undefined)}` : line;
          }),
        );
  return winston.createLogger({
    level: level === 'silent' ? 'error' : level,
    silent: level === 'silent',
    defaultMeta: format === 'json' ? { link, uid } : undefined,
    format: lineFormat,
    // stderr keeps stdout free for what links print themselves.
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] })],
  });
}

function stackLines(stack: string, cause: CauseFields | undefined): string {
  const lines = [stack];
  for (let c = cause; c !== undefined; c = c.cause) lines.push(`[cause] ${c.stack ?? c.error}`);
  return lines.join('\n');
}
