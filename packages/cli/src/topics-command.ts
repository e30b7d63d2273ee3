import { CatenaeError, ErrorCode, type TopicSpec } from '@catenae/core';
import { KAFKA_FLAGS, KAFKA_FLAGS_HELP, kafkaTargetOf } from './kafka-target.js';
import { integerFlag, parseFlags } from './parse-flags.js';

/** Help of `catenae topics`. */
export const TOPICS_USAGE = `catenae topics [list] [--all] [-k host:port]
catenae topics create <topic...> [--partitions N] [--config key=value]... [-k host:port]
  Lists the topics of a Kafka cluster with their partition counts (RPC topics, catenae.rpc.*, only
  with --all), or creates topics (the broker's default partition count unless --partitions; topic
  settings such as cleanup.policy=compact with --config). Topics that exist are left as they are.
${KAFKA_FLAGS_HELP}`;

const RPC_PREFIX = 'catenae.rpc.';

/** `catenae topics`: resolves with the exit code. @throws CatenaeError for bad flags or an unreachable cluster. */
export async function topicsCommand(argv: readonly string[], env: NodeJS.ProcessEnv, print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const parsed = parseFlags('topics', argv, {
    ...KAFKA_FLAGS,
    all: { type: 'boolean' },
    partitions: { type: 'string', short: 'p' },
    config: { type: 'string', multiple: true },
  });
  const [action = 'list', ...topics] = parsed.positionals;
  if (action !== 'list' && action !== 'create') throw new CatenaeError(ErrorCode.BadFlag, `catenae topics takes list or create, not "${action}"`);
  if (action === 'list' && topics.length > 0) throw new CatenaeError(ErrorCode.BadFlag, `catenae topics list takes no topic names (got ${topics.join(' ')})`);
  if (action === 'create' && topics.length === 0) throw new CatenaeError(ErrorCode.BadFlag, 'catenae topics create needs at least one topic name');
  const specs = action === 'create' ? specsOf(topics, parsed.values.partitions === undefined ? undefined : integerFlag(parsed, 'partitions', 1), parsed.values.config) : [];
  const target = await kafkaTargetOf('topics', parsed, env);
  const admin = await target.kafka.KafkaTopicAdmin.open({ brokers: target.brokers, config: target.config });
  try {
    if (action === 'list') {
      const shown = (await admin.list()).filter((t) => parsed.values.all === true || !t.topic.startsWith(RPC_PREFIX));
      const width = Math.max(5, ...shown.map((t) => t.topic.length));
      print(`${'topic'.padEnd(width)}  partitions`);
      for (const t of shown) print(`${t.topic.padEnd(width)}  ${t.partitions}`);
      return 0;
    }
    const { created, existing } = await admin.create(specs);
    for (const t of created) print(`created ${t.topic} (${t.partitions} partitions)`);
    for (const t of existing) print(`${t.topic} exists already (${t.partitions} partitions): left as it is`);
    return 0;
  } finally {
    await admin.close();
  }
}

function specsOf(topics: string[], partitions: number | undefined, config: unknown): TopicSpec[] {
  const settings: Record<string, string> = {};
  for (const entry of Array.isArray(config) ? (config as string[]) : []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new CatenaeError(ErrorCode.BadFlag, `--config "${entry}" is not key=value (a topic setting, e.g. cleanup.policy=compact)`);
    settings[entry.slice(0, eq).trim()] = entry.slice(eq + 1);
  }
  return topics.map((topic) => {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic) || topic === '.' || topic === '..') {
      throw new CatenaeError(ErrorCode.BadFlag, `"${topic}" is not a topic name (letters, digits, '.', '_' and '-', at most 249)`);
    }
    return { topic, ...(partitions === undefined ? {} : { partitions }), ...(Object.keys(settings).length === 0 ? {} : { config: settings }) };
  });
}
