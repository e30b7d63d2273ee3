import { listenerProperties, type BrokerListeners } from './broker-listeners.js';

/**
 * The `server.properties` of a single-node KRaft broker (broker and controller in one process) on
 * loopback: the broker listens on `port`, the controller on `port + 1`, plus the extra SASL and
 * SSL listeners asked for; replication factors are 1, new topics get 4 partitions, a group's
 * first rebalance does not wait.
 */
export function serverProperties(port: number, logDirs: string, listeners: BrokerListeners = {}): string {
  const controllerPort = port + 1;
  const extra = listenerProperties(listeners);
  const protocols = ['PLAINTEXT:PLAINTEXT', 'CONTROLLER:PLAINTEXT', ...extra.names.map((name) => `${name}:${name}`)];
  const lines = [
    '# Written by catenae kafka up: a single-node KRaft broker for development and tests.',
    'process.roles=broker,controller',
    'node.id=1',
    `listeners=${[`PLAINTEXT://127.0.0.1:${port}`, `CONTROLLER://127.0.0.1:${controllerPort}`, ...extra.addresses].join(',')}`,
    `advertised.listeners=${[`PLAINTEXT://127.0.0.1:${port}`, ...extra.addresses].join(',')}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `listener.security.protocol.map=${protocols.join(',')}`,
    `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    `log.dirs=${logDirs}`,
    'num.partitions=4',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    // 50 by default: fewer make the first group join on a fresh broker quicker.
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    ...extra.lines,
  ];
  return `${lines.join('\n')}\n`;
}
