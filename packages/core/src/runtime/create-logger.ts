import winston from 'winston';
import type { LogFormat, LogLevel } from './start-options.js';

/** A winston logger whose every line carries the link name and instance uid. */
export function createLogger(level: LogLevel, format: LogFormat, link: string, uid: string): winston.Logger {
  const lineFormat =
    format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
          winston.format.printf(
            ({ timestamp, level: lineLevel, message }) => `${timestamp} ${lineLevel.padEnd(5)} ${link}(${uid}) ${message}`,
          ),
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
