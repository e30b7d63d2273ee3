import { CatenaeError, ErrorCode } from '../errors.js';
import type { Codec } from '../codec/codec.js';
import type { ExecutionMode, InputFormat, InputMode, LinkDefinition, OnError } from '../registry/link-definition.js';
import type { LogFormat, LogLevel, StartOptions } from './start-options.js';
import { instanceUid } from './uid.js';
import { isTopicName } from '../registry/check-transforms.js';

/** Everything a running link needs to know, resolved once at start. */
export interface LinkSettings {
  name: string;
  uid: string;
  /** Default inputs (read by the topic-less handler). */
  inputs: string[];
  output: string | undefined;
  consumerGroup: string;
  mode: ExecutionMode;
  concurrency: number;
  inputMode: InputMode;
  expWindowSizeS: number;
  consumerTimeoutMs: number | undefined;
  onError: OnError;
  retries: number;
  retryBackoffMs: number;
  codec: string | Codec;
  schemas: Record<string, object>;
  inputFormat: InputFormat;
  workers: number;
  /** The module that exports the link, which each worker thread imports (`--workers`). */
  moduleUrl: string | undefined;
  logLevel: LogLevel;
  logFormat: LogFormat;
  shutdownTimeoutMs: number;
  /** See {@link StartOptions.refuseIdle}. */
  refuseIdle: boolean;
  args: string[];
  mongodb: string | undefined;
  aerospike: string | undefined;
}

const MODES: readonly ExecutionMode[] = ['async', 'sequential', 'synchronous', 'exactly-once'];
const INPUT_MODES: readonly InputMode[] = ['parity', 'priority', 'exp'];
const ON_ERROR: readonly OnError[] = ['dlq', 'skip', 'exit'];
const INPUT_FORMATS: readonly InputFormat[] = ['string', 'json', 'bytes'];
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug', 'silent'];
const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/**
 * Merges start options over the link's `@Link` options over defaults, and checks every value.
 * @throws CatenaeError `CATENAE_BAD_FLAG` naming the bad value.
 */
export function resolveSettings(definition: LinkDefinition, options: StartOptions): LinkSettings {
  const linkOptions = definition.options;
  const name = definition.name;
  const uid = options.uid ?? instanceUid();
  const uidGroup = options.uidConsumerGroup ?? linkOptions.uidConsumerGroup ?? false;
  const consumerGroup = options.consumerGroup ?? (uidGroup ? `catenae_${name.toLowerCase()}_${uid}` : undefined) ?? linkOptions.consumerGroup ?? `catenae_${name.toLowerCase()}`;
  const mode = oneOf('mode', options.mode ?? linkOptions.mode ?? 'async', MODES);
  const inputs = (options.inputs ?? linkOptions.inputs ?? []).map((topic) => topicName('input', topic));
  const output = options.output ?? linkOptions.output;
  const workers = nonNegativeInt('workers', options.workers ?? linkOptions.workers ?? 0);
  return {
    name,
    uid,
    inputs,
    output: output === undefined ? undefined : topicName('output', output),
    consumerGroup,
    mode,
    concurrency: mode === 'async' ? positiveInt('concurrency', options.concurrency ?? linkOptions.concurrency ?? Math.max(32, 4 * workers)) : 1,
    inputMode: oneOf('input-mode', options.inputMode ?? linkOptions.inputMode ?? 'parity', INPUT_MODES),
    expWindowSizeS: positiveNumber('exp-window-size', options.expWindowSizeS ?? 900),
    consumerTimeoutMs: options.consumerTimeoutMs === undefined ? undefined : positiveNumber('consumer-timeout', options.consumerTimeoutMs),
    onError: oneOf('on-error', options.onError ?? linkOptions.onError ?? 'dlq', ON_ERROR),
    retries: nonNegativeInt('retries', options.retries ?? 3),
    retryBackoffMs: positiveNumber('retry-backoff-ms', options.retryBackoffMs ?? 100),
    codec: options.codec ?? linkOptions.codec ?? 'transparent',
    schemas: { ...linkOptions.schemas, ...options.schemas },
    inputFormat: oneOf('input-format', options.inputFormat ?? linkOptions.inputFormat ?? 'string', INPUT_FORMATS),
    workers,
    moduleUrl: options.moduleUrl?.toString(),
    logLevel: oneOf('log-level', options.logLevel ?? 'info', LOG_LEVELS),
    logFormat: oneOf('log-format', options.logFormat ?? 'pretty', LOG_FORMATS),
    shutdownTimeoutMs: positiveNumber('shutdown-timeout', options.shutdownTimeoutMs ?? 30_000),
    refuseIdle: options.refuseIdle ?? false,
    args: options.args ?? [],
    mongodb: options.mongodb,
    aerospike: options.aerospike,
  };
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CatenaeError(ErrorCode.BadFlag, `--${flag} "${value}" is not one of ${allowed.join(', ')}`);
}

function positiveInt(flag: string, value: number): number {
  if (Number.isInteger(value) && value > 0) return value;
  throw new CatenaeError(ErrorCode.BadFlag, `--${flag} ${value} is not a positive integer`);
}

function nonNegativeInt(flag: string, value: number): number {
  if (Number.isInteger(value) && value >= 0) return value;
  throw new CatenaeError(ErrorCode.BadFlag, `--${flag} ${value} is not a whole number`);
}

function positiveNumber(flag: string, value: number): number {
  if (Number.isFinite(value) && value > 0) return value;
  throw new CatenaeError(ErrorCode.BadFlag, `--${flag} ${value} is not a positive number`);
}

function topicName(what: string, topic: string): string {
  if (isTopicName(topic)) return topic;
  throw new CatenaeError(ErrorCode.BadFlag, `${what} topic "${topic}" is not a valid Kafka topic name (letters, digits, . _ -)`);
}
