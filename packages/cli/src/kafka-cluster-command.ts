import { CatenaeError, ErrorCode } from '@catenae/core';
import { importOptional } from './import-optional.js';

type KafkaPackage = typeof import('@catenae/kafka');

/** What a `catenae kafka` command line asks of a local cluster. */
interface ClusterRequest {
  action: 'up' | 'down' | 'stop-node' | 'start-node';
  port: number;
  /** From `--brokers`, else `KAFKA_BROKERS`; undefined: found on disk (down, nodes) or 3 (up). */
  brokers: number | undefined;
  node: number | undefined;
  kill: boolean;
}

const NODE_ACTIONS = new Set(['stop-node', 'start-node']);

/**
 * Whether `catenae kafka <argv>` is about a local cluster: `stop-node`/`start-node`, a
 * `--brokers` flag, `KAFKA_BROKERS` above 1, or `down` where a cluster was started on that port.
 * Never throws: a command line that is not clearly a cluster's is left to the single broker's
 * parser and its messages.
 */
export async function isClusterRequest(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  const [action, ...rest] = argv;
  if (action !== undefined && NODE_ACTIONS.has(action)) return true;
  if (action !== 'up' && action !== 'down') return false;
  if (rest.some((arg) => arg === '--brokers' || arg.startsWith('--brokers='))) return true;
  if (env.KAFKA_BROKERS !== undefined && env.KAFKA_BROKERS !== '') return Number(env.KAFKA_BROKERS) !== 1;
  if (action !== 'down') return false;
  try {
    return (await loadKafka()).hasClusterOnDisk({ port: parseClusterArgs(argv, env).port });
  } catch {
    return false;
  }
}

/**
 * `catenae kafka up --brokers N`, `down`, `stop-node N [--kill]`, `start-node N`, each with
 * `--port P` (node 1's broker port; default `KAFKA_PORT`, else 9092): a local KRaft cluster of N
 * nodes (default `KAFKA_BROKERS`, else 3) from the same jars as the single broker. Idempotent.
 * @throws CatenaeError `CATENAE_BAD_FLAG` for a bad flag, port, node count or node number.
 */
export async function kafkaClusterCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const request = parseClusterArgs(argv, env);
  const kafka = await loadKafka();
  const logger = { info: (line: string) => process.stderr.write(`${line}\n`) };
  const options = { port: request.port, logger, ...(request.brokers === undefined ? {} : { brokers: request.brokers }) };
  if (request.brokers === 1 && (request.action === 'up' || request.action === 'down')) {
    if (request.action === 'up') await kafka.kafkaUp({ port: request.port, logger });
    else await kafka.kafkaDown({ port: request.port, logger });
    return 0;
  }
  switch (request.action) {
    case 'up':
      await kafka.kafkaClusterUp(options);
      break;
    case 'down':
      if ((await kafka.kafkaClusterDown(options)) === 0) logger.info(`no Kafka cluster node was running from port ${request.port}`);
      break;
    case 'stop-node':
      await kafka.stopClusterNode({ ...options, node: request.node!, kill: request.kill });
      break;
    case 'start-node':
      await kafka.startClusterNode({ ...options, node: request.node! });
      break;
  }
  return 0;
}

function parseClusterArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ClusterRequest {
  const [action, ...rest] = argv;
  const request: ClusterRequest = { action: action as ClusterRequest['action'], port: Number(env.KAFKA_PORT ?? 9092), brokers: undefined, node: undefined, kill: false };
  const isNodeAction = NODE_ACTIONS.has(action!);
  const valueOf = (i: number, flag: string): [string, number] => {
    const arg = rest[i]!;
    if (arg.startsWith(`${flag}=`)) return [arg.slice(flag.length + 1), i];
    if (rest[i + 1] === undefined) throw new CatenaeError(ErrorCode.BadFlag, `${flag} needs a value`);
    return [rest[i + 1]!, i + 1];
  };
  let brokers = env.KAFKA_BROKERS === undefined || env.KAFKA_BROKERS === '' ? undefined : env.KAFKA_BROKERS;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    let value: string;
    if (arg === '--port' || arg === '-p' || arg.startsWith('--port=')) {
      [value, i] = valueOf(i, arg.startsWith('--port=') ? '--port' : arg);
      request.port = Number(value);
    } else if (arg === '--brokers' || arg.startsWith('--brokers=')) {
      [value, i] = valueOf(i, '--brokers');
      brokers = value;
    } else if (arg === '--kill' && action === 'stop-node') {
      request.kill = true;
    } else if (isNodeAction && request.node === undefined && /^\d+$/.test(arg)) {
      request.node = Number(arg);
    } else {
      const allowed = action === 'stop-node' ? '--port, --brokers, --kill' : '--port, --brokers';
      throw new CatenaeError(ErrorCode.BadFlag, `unknown argument ${arg} for catenae kafka ${action}: only ${isNodeAction ? 'a node number, ' : ''}${allowed}`);
    }
  }
  if (!Number.isInteger(request.port) || request.port < 1 || request.port > 65534) throw new CatenaeError(ErrorCode.BadFlag, `--port "${request.port}" is not a port number`);
  if (brokers !== undefined) {
    request.brokers = Number(brokers);
    if (!/^\d+$/.test(brokers.trim()) || request.brokers < 1) throw new CatenaeError(ErrorCode.BadFlag, `--brokers "${brokers}" is not a node count`);
  }
  if (isNodeAction && request.node === undefined) throw new CatenaeError(ErrorCode.BadFlag, `catenae kafka ${action} needs a node number, e.g. catenae kafka ${action} 2`);
  return request;
}

function loadKafka(): Promise<KafkaPackage> {
  return importOptional<KafkaPackage>('@catenae/kafka', 'catenae kafka');
}
