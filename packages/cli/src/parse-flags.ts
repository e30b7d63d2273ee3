import { parseArgs } from 'node:util';
import { CatenaeError, ErrorCode } from '@catenae/core';

/** A flag of one of the smaller commands (`new`, `dev`, `topics`, `rpc`, `dlq`). */
export interface CommandFlag {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** May be given several times (each value kept, in order). */
  readonly multiple?: boolean;
}

/** What {@link parseFlags} found: flag values by long name, and the other arguments. */
export interface ParsedFlags {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: string[];
}

/**
 * Parses the arguments of `catenae <command>` with node's `util.parseArgs` (`--flag value`,
 * `--flag=value`, `-f value`; `--` ends the flags).
 * @throws CatenaeError `CATENAE_BAD_FLAG` with one line naming an unknown flag or a missing value.
 */
export function parseFlags(command: string, argv: readonly string[], flags: Readonly<Record<string, CommandFlag>>): ParsedFlags {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: { ...flags }, allowPositionals: true, strict: true });
    return { values: values as ParsedFlags['values'], positionals };
  } catch (err) {
    const message = (err as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown) throw new CatenaeError(ErrorCode.BadFlag, `unknown flag ${unknown[1]} for catenae ${command}: see catenae ${command} --help`);
    const missing = /Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument missing/.exec(message);
    if (missing) throw new CatenaeError(ErrorCode.BadFlag, `${missing[1]} needs a value (catenae ${command})`);
    // `--flag -x`: parseArgs will not take a value that starts with a dash after a space.
    const ambiguous = /Option '(-[\w-]+)' argument is ambiguous/.exec(message);
    if (ambiguous) {
      const flag = ambiguous[1]!;
      const long = /use '(--[\w-]+)=/.exec(message)?.[1] ?? flag;
      const value = argv[argv.indexOf(flag) + 1] ?? '';
      throw new CatenaeError(ErrorCode.BadFlag, `${flag} needs a value, and "${value}" looks like a flag: write ${long}=${value} if that is the value (catenae ${command})`);
    }
    throw new CatenaeError(ErrorCode.BadFlag, `catenae ${command}: ${message.split('\n')[0]}`);
  }
}

/** A flag's string value, if given. */
export function stringFlag(parsed: ParsedFlags, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A flag's value as a positive integer, else `fallback`.
 * @throws CatenaeError `CATENAE_BAD_FLAG` for anything else.
 */
export function integerFlag(parsed: ParsedFlags, name: string, fallback: number): number {
  const value = stringFlag(parsed, name);
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) {
    throw new CatenaeError(ErrorCode.BadFlag, `--${name} "${value}" is not a positive whole number`);
  }
  return number;
}
