import { CatenaeError, ErrorCode, type StartOptions } from '@catenae/core';
import yargs from 'yargs';
import { checkHostPorts, checkMongoAddress } from './addresses.js';
import { RUN_FLAGS, envNameOf, type FlagSpec } from './flags.js';

/** What `catenae run` was asked to do. */
export interface RunRequest {
  /** The link modules, as given. */
  files: string[];
  /** Options for every link (flags over `CATENAE_*` variables). */
  options: StartOptions;
  /** Whether -i, -o or -g were given: they only make sense for one link. */
  hasLinkTopics: boolean;
}

type Raw = Record<string, unknown>;

/**
 * Parses `catenae run` arguments: flags, then `CATENAE_*` variables for flags not given. Arguments
 * after `--` are handed to the links as `ctx.args`. `command` (`run`, or `dev`, which takes the
 * same flags) is the command named in error messages.
 * @throws CatenaeError `CATENAE_BAD_FLAG` with one line naming the bad flag or value.
 */
export async function parseRunArgs(argv: readonly string[], env: NodeJS.ProcessEnv, command = 'run'): Promise<RunRequest> {
  const separator = argv.indexOf('--');
  const own = separator >= 0 ? argv.slice(0, separator) : [...argv];
  const extra = separator >= 0 ? argv.slice(separator + 1) : [];
  let parser = yargs(own)
    .strictOptions()
    .help(false)
    .version(false)
    .exitProcess(false)
    .parserConfiguration({ 'camel-case-expansion': false, 'strip-aliased': true })
    .fail((message: string, err?: Error) => {
      throw new CatenaeError(ErrorCode.BadFlag, badFlagMessage(message, err, command));
    });
  for (const flag of RUN_FLAGS) {
    parser = parser.option(flag.name, {
      alias: flag.alias,
      type: flag.type === 'list' || flag.type === 'pairs' || flag.type === 'number' ? 'string' : flag.type,
      array: flag.type === 'pairs',
    });
  }
  const parsed = (await parser.parseAsync()) as Raw;
  const files = (parsed._ as (string | number)[]).map(String);
  if (files.length === 0) throw new CatenaeError(ErrorCode.BadFlag, `catenae ${command} needs at least one link file, e.g. catenae ${command} ./dist/mapper.js`);
  const raw: Raw = {};
  for (const flag of RUN_FLAGS) {
    const fromArgv = parsed[flag.name];
    if (Array.isArray(fromArgv) && flag.type !== 'pairs') {
      throw new CatenaeError(ErrorCode.BadFlag, `--${flag.name} was given ${fromArgv.length} times (${fromArgv.map(String).join(', ')}): give it once`);
    }
    const fromEnv = env[envNameOf(flag.name)];
    if (fromArgv !== undefined) raw[flag.name] = fromArgv;
    else if (fromEnv !== undefined && fromEnv !== '') raw[flag.name] = flag.type === 'boolean' ? parseBoolean(flag, fromEnv) : fromEnv;
  }
  return { files, options: toStartOptions(raw, extra), hasLinkTopics: ['input', 'output', 'consumer-group'].some((name) => raw[name] !== undefined) };
}

function toStartOptions(raw: Raw, extra: string[]): StartOptions {
  const options: StartOptions = { args: extra };
  const str = (name: string) => raw[name] as string | undefined;
  if (str('kafka') !== undefined) options.kafka = checkHostPorts('-k', str('kafka')!);
  if (str('input') !== undefined) options.inputs = list('-i', str('input')!);
  if (str('output') !== undefined) options.output = str('output');
  if (str('consumer-group') !== undefined) options.consumerGroup = str('consumer-group');
  if (raw['uid-consumer-group'] || raw['random-consumer-group']) options.uidConsumerGroup = true;
  options.mode = modeOf(raw);
  if (options.mode === undefined) delete options.mode;
  setNumber(options, 'concurrency', raw, 'concurrency');
  if (str('input-mode') !== undefined) options.inputMode = str('input-mode') as StartOptions['inputMode'];
  setNumber(options, 'expWindowSizeS', raw, 'exp-window-size');
  setNumber(options, 'consumerTimeoutMs', raw, 'consumer-timeout');
  if (str('on-error') !== undefined) options.onError = str('on-error') as StartOptions['onError'];
  setNumber(options, 'retries', raw, 'retries');
  setNumber(options, 'retryBackoffMs', raw, 'retry-backoff-ms');
  if (str('codec') !== undefined) options.codec = str('codec');
  if (str('input-format') !== undefined) options.inputFormat = str('input-format') as StartOptions['inputFormat'];
  setNumber(options, 'workers', raw, 'workers');
  if (str('mongodb') !== undefined) options.mongodb = checkMongoAddress(str('mongodb')!);
  if (str('aerospike') !== undefined) options.aerospike = checkHostPorts('-a', str('aerospike')!);
  // CATENAE_KAFKA_<KEY> variables join these where the Kafka package is loaded (run-command).
  const kafkaConfig = pairs(raw['kafka-config']);
  if (Object.keys(kafkaConfig).length > 0) options.kafkaConfig = kafkaConfig;
  setNumber(options, 'replicationFactor', raw, 'replication-factor');
  if (str('uid') !== undefined) options.uid = str('uid');
  if (str('log-level') !== undefined) options.logLevel = str('log-level') as StartOptions['logLevel'];
  if (str('log-format') !== undefined) options.logFormat = str('log-format') as StartOptions['logFormat'];
  setNumber(options, 'shutdownTimeoutMs', raw, 'shutdown-timeout');
  setNumber(options, 'metricsPort', raw, 'metrics-port');
  setNumber(options, 'announceIntervalMs', raw, 'announce-interval');
  if (str('state-dir') !== undefined) {
    if (str('state-dir')!.trim() === '') throw new CatenaeError(ErrorCode.BadFlag, '--state-dir "" names no directory (use "memory" to keep tables in memory)');
    options.stateDir = str('state-dir');
  }
  return options;
}

function modeOf(raw: Raw): StartOptions['mode'] {
  const chosen: string[] = [];
  if (raw.mode !== undefined) chosen.push(String(raw.mode));
  if (raw.seq) chosen.push('sequential');
  if (raw.sync) chosen.push('synchronous');
  if (raw.eos) chosen.push('exactly-once');
  if (new Set(chosen).size > 1) throw new CatenaeError(ErrorCode.BadFlag, `conflicting modes: ${[...new Set(chosen)].join(', ')}; give one of --mode, --seq, --sync, --eos`);
  return chosen[0] as StartOptions['mode'];
}

function setNumber(options: StartOptions, key: keyof StartOptions, raw: Raw, flag: string): void {
  const value = raw[flag];
  if (value === undefined) return;
  const number = Number(value);
  if (String(value).trim() === '' || !Number.isFinite(number)) throw new CatenaeError(ErrorCode.BadFlag, `--${flag} "${String(value)}" is not a number`);
  (options as Record<string, unknown>)[key] = number;
}

function list(flag: string, value: string): string[] {
  const items = value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  if (items.length === 0) throw new CatenaeError(ErrorCode.BadFlag, `${flag} "${value}" names no topic`);
  return items;
}

function pairs(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of (value as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CatenaeError(ErrorCode.BadFlag, `--kafka-config "${pair}" is not key=value`);
    result[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return result;
}

function parseBoolean(flag: FlagSpec, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new CatenaeError(ErrorCode.BadFlag, `${envNameOf(flag.name)}="${value}" is not true or false`);
}

function badFlagMessage(message: string, err: Error | undefined, command: string): string {
  const unknown = /^Unknown arguments?: (.*)$/.exec(message ?? '');
  if (unknown) {
    return `unknown flag ${unknown[1]!.split(', ').map((name) => (name.length === 1 ? `-${name}` : `--${name}`)).join(', ')}: see catenae ${command} --help; arguments for the link go after --`;
  }
  return (message || err?.message || 'bad arguments').replace(/\n/g, ' ');
}
