import { startDashboard } from './start-dashboard.js';
import { parseDashboardArgs } from './parse-dashboard-args.js';

/**
 * `catenae dashboard -k host:port [--port 8080] [--host 127.0.0.1] [--allow-rpc] [--forget-after s]`: serves the live
 * topology until SIGINT or SIGTERM, then resolves with exit code 0.
 */
export async function dashboardCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const request = parseDashboardArgs(argv, env);
  const kafka = await import('@catenae/kafka');
  const config = { ...kafka.kafkaConfigFromEnv(env), ...request.kafkaConfig };
  const dashboard = await startDashboard({
    transport: kafka.createKafkaTransport({ brokers: request.kafka, config }),
    kafka: request.kafka,
    port: request.port,
    host: request.host,
    allowRpc: request.allowRpc,
    staleness: { forgetAfterMs: request.forgetAfterMs },
  });
  process.stderr.write(
    `catenae dashboard: ${dashboard.url}/ (reading catenae.instances on ${request.kafka}; ${request.allowRpc ? 'RPC calls allowed' : 'read-only'}; Ctrl-C to stop)\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await dashboard.close();
  return 0;
}
