import { CatenaeError, ErrorCode } from '@catenae/core';
import { checkHostPorts } from '../addresses.js';
import { ArgvCursor } from '../argv-cursor.js';

/** What `catenae dashboard` was asked to serve. */
export interface DashboardRequest {
  /** Kafka bootstrap servers. */
  kafka: string;
  /** librdkafka settings (`--kafka-config key=value`), e.g. SASL and TLS. */
  kafkaConfig: Record<string, string>;
  port: number;
  host: string;
  /** Whether the page may call `@Rpc()` methods (`--allow-rpc`); nothing else is ever called. */
  allowRpc: boolean;
  /** How long stopped and gone instances stay on the page, in ms (`--forget-after` seconds, default 600). */
  forgetAfterMs: number;
}

/** The port the dashboard serves on unless `--port` says otherwise. */
export const DEFAULT_DASHBOARD_PORT = 8080;

/**
 * Parses `catenae dashboard -k host:port [--port 8080] [--host 127.0.0.1] [--allow-rpc]
 * [--forget-after seconds] [--kafka-config key=value]...`; `-k` may come from `CATENAE_KAFKA`.
 * @throws CatenaeError `CATENAE_BAD_FLAG` naming the bad flag or value.
 */
export function parseDashboardArgs(argv: readonly string[], env: NodeJS.ProcessEnv): DashboardRequest {
  let kafka = env.CATENAE_KAFKA === '' ? undefined : env.CATENAE_KAFKA;
  let port = DEFAULT_DASHBOARD_PORT;
  let host = '127.0.0.1';
  let allowRpc = false;
  let forgetAfterMs = 600_000;
  const kafkaConfig: Record<string, string> = {};
  const args = new ArgvCursor(argv);
  const value = (): string => args.value();
  while (args.next()) {
    const name = args.name;
    switch (name) {
      case '-k':
      case '--kafka':
        kafka = value();
        break;
      case '--port':
        port = portOf(value());
        break;
      case '--host':
        host = value();
        break;
      case '--forget-after': {
        const given = value();
        const seconds = Number(given);
        if (!Number.isFinite(seconds) || seconds <= 0) throw new CatenaeError(ErrorCode.BadFlag, `--forget-after "${given}" is not a positive number of seconds`);
        forgetAfterMs = seconds * 1000;
        break;
      }
      case '--allow-rpc':
        allowRpc = true;
        break;
      case '--kafka-config': {
        const pair = value();
        const at = pair.indexOf('=');
        if (at <= 0) throw new CatenaeError(ErrorCode.BadFlag, `--kafka-config "${pair}" is not key=value`);
        kafkaConfig[pair.slice(0, at).trim()] = pair.slice(at + 1);
        break;
      }
      default:
        throw new CatenaeError(ErrorCode.BadFlag, `unknown ${name.startsWith('-') ? 'flag' : 'argument'} ${name} for catenae dashboard: see catenae dashboard --help`);
    }
  }
  if (kafka === undefined) throw new CatenaeError(ErrorCode.BadFlag, 'catenae dashboard needs -k host:port, the Kafka the links run on');
  return { kafka: checkHostPorts('-k', kafka), kafkaConfig, port, host, allowRpc, forgetAfterMs };
}

function portOf(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new CatenaeError(ErrorCode.BadFlag, `--port "${value}" is not a port number (0 to 65535)`);
  return port;
}
