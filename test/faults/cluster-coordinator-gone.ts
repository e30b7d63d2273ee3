import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { RawRecord, Transport, TransportOptions } from '@catenae/core';
import { createKafkaTransport, kafkaLogChannel, type KafkaLogMessage } from '@catenae/kafka';
import { fetchUntil, outgoing, produceAll } from '../helpers/kafka.js';
import { uniqueTopic } from '../support/catenae-process.js';
import { progress, recordFigure } from './figures.js';
import type { LocalCluster } from './local-cluster.js';
import { until } from './until.js';

const ignoreRebalance = { onAssigned: () => {}, onRevoked: () => {} };
const TIMEOUT_MS = 60_000;

/**
 * confluentinc/librdkafka#5511: once the group coordinator's node has left the cluster's metadata,
 * sendOffsetsToTransaction waits for a broker connection to go up or down, which may never happen
 * (it took 10 minutes in CI: the broker closing an idle connection). Until it answers, the call
 * holds a thread of libuv's pool, which Node joins at exit, and its producer stays connected,
 * which keeps the event loop alive: a link stopping then hung after "stopped".
 *
 * A member whose transactions are coordinated by another node commits once, the group
 * coordinator's node is killed and leaves the metadata, and the next commit must go through,
 * exactly once, with no call left waiting. Two ways are fine: the same producer is answered once
 * one of its idle connections closes (`connections.max.idle.ms`, 10 s), or, when that query went
 * out on a connection that closed at the same moment, the transport replaces the producer as stuck
 * (20 s), which fences the old one, and the fencing ends the old call (logged as its late answer).
 */
export async function commitAfterGroupCoordinatorLeft(cluster: LocalCluster): Promise<void> {
  const factory = createKafkaTransport({ brokers: cluster.bootstrap });
  const open: Transport[] = [];
  const connected = async (options: TransportOptions): Promise<Transport> => {
    const transport = factory.create(options);
    open.push(transport);
    await transport.connect();
    return transport;
  };
  const logged: KafkaLogMessage[] = [];
  const onLog = (message: unknown): void => void logged.push(message as KafkaLogMessage);
  subscribe(kafkaLogChannel.name, onLog);
  try {
    const [input, output] = [uniqueTopic('coord_gone_in'), uniqueTopic('coord_gone_out')];
    // Its transactional init creates `__transaction_state` on a fresh cluster.
    const setup = await connected({ clientId: uniqueTopic('coord_gone_setup'), groupId: uniqueTopic('coord_gone_setup'), transactional: true, idempotent: true });
    await setup.transactions!.init(TIMEOUT_MS);
    await setup.ensureTopics([
      { topic: input, partitions: 1 },
      { topic: output, partitions: 1 },
    ]);
    await produceAll(setup, [outgoing(input, null, 'in-0'), outgoing(input, null, 'in-1')]);

    const clientId = uniqueTopic('coord_gone');
    const transactionCoordinator = await cluster.transactionCoordinatorOf(`catenae-${clientId}`);
    let group = uniqueTopic('coord_gone');
    let groupCoordinator = await cluster.coordinatorOf(group);
    while (groupCoordinator === transactionCoordinator) {
      group = uniqueTopic('coord_gone');
      groupCoordinator = await cluster.coordinatorOf(group);
    }

    const member = await connected({ clientId, groupId: group, transactional: true, idempotent: true });
    const transactions = member.transactions!;
    await transactions.init(TIMEOUT_MS);
    member.subscribe([input], ignoreRebalance);
    const received: RawRecord[] = [];
    await fetchUntil(member, received, () => received.length >= 2, 'both inputs');
    transactions.begin();
    await produceAll(member, [outgoing(output, null, 'out-0')]);
    await transactions.commit([{ topic: input, partition: 0, offset: 1 }], TIMEOUT_MS);

    progress(`killing node ${groupCoordinator}, the group's coordinator (transactions: node ${transactionCoordinator})`);
    await cluster.kill(groupCoordinator);
    await until(async () => !(await cluster.listedNodes()).includes(groupCoordinator), `node ${groupCoordinator} to leave the metadata`);
    // The member's producer learns it from a metadata answer of its own.
    await member.partitionCount(output);

    transactions.begin();
    await produceAll(member, [outgoing(output, null, 'out-1')]);
    const startedAt = Date.now();
    await transactions.commit([{ topic: input, partition: 0, offset: 2 }], 120_000);
    const seconds = (Date.now() - startedAt) / 1000;
    const ofMember = (pattern: RegExp): KafkaLogMessage | undefined => logged.find((m) => m.clientId === clientId && pattern.test(m.message));
    let how = 'on the same producer';
    if (ofMember(/on a new producer/) !== undefined) {
      // The old producer's call must end: until then it holds a thread that the process joins at exit.
      await until(() => ofMember(/given up as stuck ended/) !== undefined, 'the stuck call to end', TIMEOUT_MS);
      how = `on a new producer; ${ofMember(/given up as stuck ended/)!.message}`;
    }
    recordFigure('commit after the group coordinator left the cluster', 'exactly-once', `answered in ${seconds.toFixed(1)} s ${how}`);

    const reader = await connected({ clientId: uniqueTopic('coord_gone_reader'), groupId: uniqueTopic('coord_gone_reader') });
    reader.subscribe([output], ignoreRebalance);
    const committed: RawRecord[] = [];
    await fetchUntil(reader, committed, () => committed.length >= 2, 'both committed outputs', TIMEOUT_MS);
    assert.deepEqual(
      committed.map((r) => String(r.value)),
      ['out-0', 'out-1'],
    );
  } finally {
    unsubscribe(kafkaLogChannel.name, onLog);
    await Promise.all(open.map((t) => t.close()));
  }
}
