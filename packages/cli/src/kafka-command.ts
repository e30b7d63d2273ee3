import { CatenaeError, ErrorCode } from '@catenae/core';
import { importOptional } from './import-optional.js';

/** The help of `catenae kafka`. */
export const KAFKA_USAGE = `Usage:
  catenae kafka up [--port N]      start a local single-node Kafka broker (KRaft, Apache Kafka's jars
                                   from Maven Central, run with java) and wait until it answers
  catenae kafka down [--port N]    stop it

  --port N, -p N                   the broker port (default: KAFKA_PORT, else 9092; the controller takes N+1)

Both are idempotent: up when a broker already answers, or down when none runs, says so and exits 0.
`;

/**
 * `catenae kafka up|down [--port N]`: starts or stops a local single-node Kafka broker (KRaft,
 * Apache Kafka's own jars from Maven Central, run with java). Idempotent; port from `--port`,
 * else `KAFKA_PORT`, else 9092. Every outcome is one line on stderr.
 */
export async function kafkaCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h' || action === 'help' || rest.includes('--help') || rest.includes('-h')) {
    (action === undefined ? process.stderr : process.stdout).write(KAFKA_USAGE);
    return action === undefined ? 2 : 0;
  }
  if (action !== 'up' && action !== 'down') {
    throw new CatenaeError(ErrorCode.BadFlag, `catenae kafka takes up or down, not "${action}" (catenae kafka --help)`);
  }
  let port = portOf(env.KAFKA_PORT ?? '9092', 'KAFKA_PORT');
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--port' || arg === '-p') port = portOf(rest[++i], arg);
    else if (arg.startsWith('--port=')) port = portOf(arg.slice('--port='.length), '--port');
    else throw new CatenaeError(ErrorCode.BadFlag, `unknown flag ${arg} for catenae kafka ${action}: only --port`);
  }
  const kafka = await importOptional<typeof import('@catenae/kafka')>('@catenae/kafka', 'catenae kafka');
  const logger = { info: (line: string) => process.stderr.write(`${line}\n`) };
  if (action === 'up') {
    const up = await kafka.kafkaUp({ port, logger });
    if (up.alreadyRunning) logger.info(`Kafka already answers at ${up.bootstrap}${up.pid === undefined ? '' : ` (pid ${up.pid})`}: nothing to start`);
  } else if (!(await kafka.kafkaDown({ port, logger }))) {
    logger.info(`no local Kafka broker started by catenae runs on port ${port}: nothing to stop`);
  }
  return 0;
}

function portOf(value: string | undefined, flag: string): number {
  const port = Number(value);
  if (value === undefined || !/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port < 1 || port > 65534) {
    throw new CatenaeError(ErrorCode.BadFlag, `${flag} "${value ?? ''}" is not a port number (1 to 65534)`);
  }
  return port;
}
