import { CatenaeError, ErrorCode } from '@catenae/core';
import { KAFKA_FLAGS, KAFKA_FLAGS_HELP, kafkaTargetOf } from '../kafka-target.js';
import { integerFlag, parseFlags, stringFlag } from '../parse-flags.js';
import { replayDeadLetters } from './replay-dead-letters.js';

/** Help of `catenae dlq`. */
export const DLQ_USAGE = `catenae dlq replay <topic> [--dry-run] [--to topic] [--group g] [-k host:port]
  Re-sends the dead letters of <topic>.dlq (or of <topic>, when it ends in .dlq) to the topics
  they came from, as they first arrived, and prints one line per letter. Progress is committed in
  the group catenae_dlq_replay_<dlq topic>, so a second replay sends only letters added since.
  --dry-run   print what would be re-sent; send and commit nothing
  --to topic  send every letter to this topic instead
  --group g   another progress group (a new one replays everything again)
  --idle-ms MS  stop after this long without a letter (default 3000)
${KAFKA_FLAGS_HELP}`;

/** `catenae dlq replay`: resolves with the exit code. @throws CatenaeError for bad flags or an unreachable cluster. */
export async function dlqCommand(argv: readonly string[], env: NodeJS.ProcessEnv, print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const parsed = parseFlags('dlq', argv, {
    ...KAFKA_FLAGS,
    'dry-run': { type: 'boolean' },
    to: { type: 'string' },
    group: { type: 'string' },
    'idle-ms': { type: 'string' },
  });
  const [action, topic, ...extra] = parsed.positionals;
  if (action !== 'replay' || topic === undefined || extra.length > 0) {
    throw new CatenaeError(ErrorCode.BadFlag, 'catenae dlq takes replay <topic>, e.g. catenae dlq replay lines.dlq --dry-run');
  }
  const dlq = topic.endsWith('.dlq') ? topic : `${topic}.dlq`;
  const dryRun = parsed.values['dry-run'] === true;
  const target = await kafkaTargetOf('dlq replay', parsed, env);
  const to = stringFlag(parsed, 'to');
  const summary = await replayDeadLetters({
    factory: target.kafka.createKafkaTransport({ brokers: target.brokers, config: target.config }),
    topic: dlq,
    dryRun,
    to,
    group: stringFlag(parsed, 'group'),
    idleMs: integerFlag(parsed, 'idle-ms', 3000),
    onLetter: (letter) =>
      print(
        `${dlq}[${letter.partition}]@${letter.offset} key ${letter.key ?? '-'}: ${letter.destination === undefined ? 'skipped, it names no source topic (use --to)' : `${dryRun ? 'would go' : 'sent'} to ${letter.destination}`}${letter.error === undefined ? '' : ` (failed with ${letter.error})`}`,
      ),
  });
  const sent = Object.entries(summary.replayed);
  const total = sent.reduce((n, [, count]) => n + count, 0);
  const where = sent.map(([t, n]) => `${n} to ${t}`).join(', ');
  print(`${dryRun ? 'dry run: would replay' : 'replayed'} ${total} dead letter(s) of ${dlq}${where ? ` (${where})` : ''}${summary.skipped > 0 ? `; ${summary.skipped} skipped` : ''}`);
  return 0;
}
