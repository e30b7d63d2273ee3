import { hostname } from 'node:os';
import { CatenaeError, ErrorCode, defineLink, startLink, type RpcTarget } from '@catenae/core';
import { KAFKA_FLAGS, KAFKA_FLAGS_HELP, kafkaTargetOf } from './kafka-target.js';
import { integerFlag, parseFlags, stringFlag } from './parse-flags.js';

/** Help of `catenae rpc`. */
export const RPC_USAGE = `catenae rpc <link|uid:ID|broadcast> <method> [json args] [--notify] [--key K] [--timeout MS] [-k host:port]
  Calls an @Rpc() method of a running link over Kafka, as another link would, and prints its
  result as JSON (one instance of the link answers; uid:ID names one instance; --key K reaches the
  instance owning K's partition, for links with tables). --notify reaches every instance (or all
  links with broadcast) without waiting for results. The arguments are one JSON value.
  --timeout MS  how long a call waits for its reply (default 10000)
  --uid ID      this command's instance id: its reply topic is catenae.rpc.instance.<ID>
                (default catenae-cli-<host name>, so repeated calls reuse one topic)
${KAFKA_FLAGS_HELP}`;

/** `catenae rpc`: resolves with the exit code. @throws CatenaeError for bad input, a timeout or the remote error. */
export async function rpcCommand(argv: readonly string[], env: NodeJS.ProcessEnv, print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const parsed = parseFlags('rpc', argv, {
    ...KAFKA_FLAGS,
    notify: { type: 'boolean' },
    key: { type: 'string' },
    timeout: { type: 'string' },
    uid: { type: 'string' },
  });
  const [to, method, json, ...extra] = parsed.positionals;
  if (to === undefined || method === undefined || extra.length > 0) {
    throw new CatenaeError(ErrorCode.BadFlag, 'catenae rpc takes <link|uid:ID|broadcast> <method> [json args], e.g. catenae rpc Reducer snapshot \'"word"\'');
  }
  const args = json === undefined ? undefined : parseJson(json);
  const target = targetOf(to, stringFlag(parsed, 'key'));
  const timeoutMs = integerFlag(parsed, 'timeout', 10_000);
  const isNotify = parsed.values.notify === true;
  if (to === 'broadcast' && !isNotify) throw new CatenaeError(ErrorCode.BadFlag, 'broadcast reaches every instance: use it with --notify');
  const kafka = await kafkaTargetOf('rpc', parsed, env);
  const uid = stringFlag(parsed, 'uid') ?? `catenae-cli-${hostname().replace(/[^A-Za-z0-9._-]/g, '_')}`;
  const caller = await startLink(defineLink({ name: 'catenae-cli' }), { kafka: kafka.brokers, kafkaConfig: kafka.config, uid, logLevel: 'warn' });
  try {
    if (isNotify) {
      await caller.ctx.rpc.notify(target, method, args);
      process.stderr.write(`notified ${describe(to)}.${method}\n`);
    } else {
      const result = await caller.ctx.rpc.call(target, method, args, { timeoutMs });
      print(JSON.stringify(result, jsonReplacer, 2) ?? 'undefined');
    }
    return 0;
  } finally {
    await caller.stop();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CatenaeError(ErrorCode.BadFlag, `the arguments ${text} are not JSON (${(err as Error).message}); quote a string as '"text"'`);
  }
}

function targetOf(to: string, key: string | undefined): RpcTarget {
  if (to.startsWith('uid:')) {
    if (key !== undefined) throw new CatenaeError(ErrorCode.BadFlag, '--key reaches a link by key: give a link name, not uid:');
    return { uid: to.slice('uid:'.length) };
  }
  if (key !== undefined) return { link: to, key };
  return to;
}

function describe(to: string): string {
  return to.startsWith('uid:') ? to.slice('uid:'.length) : to;
}

// What the transparent codec carries and JSON does not: Maps as objects, Sets as arrays, BigInts
// as text, Buffers as base64 (read from the holder: JSON.stringify calls toJSON first).
function jsonReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Map) return Object.fromEntries(raw);
  if (raw instanceof Set) return [...raw];
  if (typeof raw === 'bigint') return raw.toString();
  if (Buffer.isBuffer(raw)) return raw.toString('base64');
  return value;
}
