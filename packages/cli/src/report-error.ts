import { CatenaeError, errorFields, exitCodeOf, stackTrace } from '@catenae/core';

/** How `catenae` reports the error that ends it. */
export interface ReportStyle {
  /** Print the stack (and its causes'): `--log-level debug` or `CATENAE_LOG_LEVEL=debug`. */
  showStack: boolean;
  /** One JSON line, like the links' own logs: `--log-format json` or `CATENAE_LOG_FORMAT=json`. */
  isJson: boolean;
}

/**
 * Prints an error as one line, `catenae: <message> (<code>)`, with the stack only when asked; in
 * JSON, one line with the fields the links log errors with (`code`, `error`, `stack`, `cause`)
 * and `exitCode`.
 */
export function reportError(err: unknown, style: ReportStyle): void {
  const message = `catenae: ${err instanceof Error ? err.message.split('\n')[0]! : String(err)}`;
  if (style.isJson) {
    const line = { level: 'error', message, ...errorFields(err), exitCode: exitCodeOf(err), timestamp: new Date().toISOString() };
    process.stderr.write(`${JSON.stringify(line)}\n`);
    return;
  }
  process.stderr.write(`${message}${err instanceof CatenaeError ? ` (${err.code})` : ''}\n`);
  const stack = style.showStack ? stackTrace(err) : undefined;
  if (stack !== undefined) process.stderr.write(`${stack}\n`);
}

/** The report style asked for by flags or the environment, read loosely: the flags may be what failed to parse. */
export function reportStyleOf(argv: readonly string[], env: NodeJS.ProcessEnv): ReportStyle {
  const level = flagValue(argv, 'log-level') ?? env.CATENAE_LOG_LEVEL;
  const format = flagValue(argv, 'log-format') ?? env.CATENAE_LOG_FORMAT;
  return { showStack: level === 'debug', isJson: format === 'json' };
}

function flagValue(argv: readonly string[], name: string): string | undefined {
  const end = argv.indexOf('--');
  const own = end >= 0 ? argv.slice(0, end) : argv;
  for (let i = own.length - 1; i >= 0; i--) {
    if (own[i] === `--${name}`) return own[i + 1];
    if (own[i]!.startsWith(`--${name}=`)) return own[i]!.slice(name.length + 3);
  }
  return undefined;
}
