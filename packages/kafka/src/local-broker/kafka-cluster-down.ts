import { rm } from 'node:fs/promises';
import { runningBrokerPid, stopBrokerProcess } from './broker-process.js';
import { layoutOnDisk, type KafkaClusterOptions } from './cluster-options.js';

/**
 * Stops every node of the local cluster `kafkaClusterUp` started on this port (each a controlled
 * shutdown, SIGKILL after `timeoutMs`, default 30000), all at once, and waits for their
 * processes to go. The node count is found on disk when not given. Resolves with the number of
 * nodes that were running.
 * @publicApi
 */
export async function kafkaClusterDown(options: KafkaClusterOptions & { removeData?: boolean } = {}): Promise<number> {
  const layout = layoutOnDisk(options);
  // All at once: a node shutting down last and alone has no quorum to approve its controlled
  // shutdown and would wait for SIGKILL; together they finish in seconds.
  const stopped = await Promise.all(
    layout.nodes.map(async (node) => {
      const pid = await runningBrokerPid(node.layout);
      if (pid === undefined) {
        await rm(node.layout.pidFile, { force: true });
        return 0;
      }
      options.logger?.info(`stopping Kafka node ${node.nodeId} at ${node.layout.bootstrap} (pid ${pid})`);
      await stopBrokerProcess(node.layout, pid, options.timeoutMs ?? 30_000);
      return 1;
    }),
  );
  if (options.removeData === true) await rm(layout.dataDir, { recursive: true, force: true });
  return stopped.reduce((a: number, b: number) => a + b, 0);
}
