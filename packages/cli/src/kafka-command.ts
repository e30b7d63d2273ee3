import { CatenaeError, ErrorCode } from '@catenae/core';
import { isClusterRequest, kafkaClusterCommand } from './kafka-cluster-command.js';

/**
 * `catenae kafka up|down [--port N]`: starts or stops a local single-node Kafka broker (KRaft,
 * Apache Kafka's own jars from Maven Central, run with java). Idempotent; port from `--port`,
 * else `KAFKA_PORT`, else 9092.
 */
export async function kafkaCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (await isClusterRequest(argv, env)) return kafkaClusterCommand(argv, env);
  const [action, ...rest] = argv;
  if (action !== 'up' && action !== 'down') {
    throw new CatenaeError(ErrorCode.BadFlag, `catenae kafka takes up or down, not "${action ?? ''}"`);
  }
  let port = Number(env.KAFKA_PORT ?? 9092);
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--port' || rest[i] === '-p') port = Number(rest[++i]);
    else if (rest[i]?.startsWith('--port=')) port = Number(rest[i]!.slice('--port='.length));
    else throw new CatenaeError(ErrorCode.BadFlag, `unknown flag ${rest[i]} for catenae kafka ${action}: only --port`);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65534) throw new CatenaeError(ErrorCode.BadFlag, `--port "${port}" is not a port number`);
  const kafka = await import('@catenae/kafka').catch((err: Error) => {
    throw new CatenaeError(ErrorCode.Broker, `catenae kafka needs @catenae/kafka: install it (${err.message.split('\n')[0]})`);
  });
  const logger = { info: (line: string) => process.stderr.write(`${line}\n`) };
  if (action === 'up') await kafka.kafkaUp({ port, logger });
  else await kafka.kafkaDown({ port, logger });
  return 0;
}
