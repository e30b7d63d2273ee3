// KafkaTransport's transactions (the exactly-once mode) on a real broker (KAFKA_BOOTSTRAP, default
// 127.0.0.1:9092): outputs and input offsets become visible together, or not at all.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ErrorCode, type RawRecord, type TopicPartition, type Transport, type TransportOptions } from '@catenae/core';
import { createKafkaTransport } from '@catenae/kafka';
import Kafka from 'node-rdkafka';
import { fetchOnce, fetchUntil, KAFKA_BOOTSTRAP, outgoing, produceAll, uniqueName } from '../helpers/kafka.js';

const TIMEOUT_MS = 30_000;
const factory = createKafkaTransport({ brokers: KAFKA_BOOTSTRAP });
const uncommittedReader = createKafkaTransport({ brokers: KAFKA_BOOTSTRAP, config: { 'isolation.level': 'read_uncommitted' } });
const open: Transport[] = [];

after(async () => {
  await Promise.all(open.map((t) => t.close()));
});

async function connected(options: Partial<TransportOptions> = {}, from = factory): Promise<Transport> {
  const transport = from.create({ clientId: uniqueName('client'), ...options });
  open.push(transport);
  await transport.connect();
  return transport;
}

const text = (b: Buffer | null): string => (b === null ? '' : b.toString('utf8'));
const values = (records: RawRecord[]): string[] => records.map((r) => text(r.value));
const ignoreRebalance = { onAssigned: () => {}, onRevoked: () => {} };

/** Input and output topics (one partition each), `count` inputs on the first. */
async function topicsWithInput(label: string, count: number): Promise<{ input: string; output: string }> {
  const input = uniqueName(`${label}-in`);
  const output = uniqueName(`${label}-out`);
  const producer = await connected();
  await producer.ensureTopics([
    { topic: input, partitions: 1 },
    { topic: output, partitions: 1 },
  ]);
  await produceAll(producer, Array.from({ length: count }, (_, i) => outgoing(input, null, `in-${i}`)));
  return { input, output };
}

/** A transactional consume-transform-produce member of `group` that has read every input. */
async function transactionalReader(input: string, group: string, count: number, clientId = uniqueName('txn')): Promise<Transport> {
  const transport = await connected({ clientId, groupId: group, transactional: true, idempotent: true });
  await transport.transactions!.init(TIMEOUT_MS);
  transport.subscribe([input], ignoreRebalance);
  const received: RawRecord[] = [];
  await fetchUntil(transport, received, () => received.length >= count, `${count} inputs`);
  return transport;
}

/** Everything a reader of `isolation` sees on `topic` within `forMs` (a fresh group, from the start). */
async function readFor(topic: string, forMs: number, uncommitted = false, until = (_: RawRecord[]) => false): Promise<RawRecord[]> {
  const reader = await connected({ groupId: uniqueName('reader') }, uncommitted ? uncommittedReader : factory);
  reader.subscribe([topic], ignoreRebalance);
  const received: RawRecord[] = [];
  const deadline = Date.now() + forMs;
  while (Date.now() < deadline && !until(received)) received.push(...(await fetchOnce(reader, 1000, 100)));
  await reader.close();
  return received;
}

/** The group's committed offset of partition 0 of `topic` (undefined: none). */
async function committedOffset(group: string, topic: string): Promise<number | undefined> {
  const consumer = new Kafka.KafkaConsumer({ 'metadata.broker.list': KAFKA_BOOTSTRAP, 'group.id': group }, {});
  await new Promise<void>((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve())));
  try {
    const partitions: TopicPartition[] = [{ topic, partition: 0 }];
    const [committed] = await new Promise<Kafka.TopicPartitionOffset[]>((resolve, reject) =>
      consumer.committed(partitions, 10_000, (err, offsets) => (err ? reject(err) : resolve(offsets))),
    );
    // node-rdkafka leaves `offset` out when the group has none.
    const offset = committed?.offset;
    return offset === undefined || offset < 0 ? undefined : offset;
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}

describe('Kafka transactions (exactly-once mode) on a real broker', { timeout: 120_000 }, () => {
  it('a committed transaction makes its records and its input offsets visible together', async () => {
    const { input, output } = await topicsWithInput('commit', 10);
    const group = uniqueName('commit');
    const transport = await transactionalReader(input, group, 10);
    const transactions = transport.transactions!;
    transactions.begin();
    await produceAll(transport, Array.from({ length: 10 }, (_, i) => outgoing(output, null, `out-${i}`)));
    // Acknowledged, so on the broker, but not committed: only a read_uncommitted reader sees them.
    assert.equal((await readFor(output, 10_000, true, (r) => r.length >= 10)).length, 10);
    assert.deepEqual(values(await readFor(output, 1500)), [], 'read_committed sees nothing of an open transaction');
    assert.equal(await committedOffset(group, input), undefined, 'no offset committed yet');
    await transactions.commit([{ topic: input, partition: 0, offset: 10 }], TIMEOUT_MS);
    const seen = await readFor(output, 10_000, false, (r) => r.length >= 10);
    assert.deepEqual(values(seen), Array.from({ length: 10 }, (_, i) => `out-${i}`));
    assert.equal(await committedOffset(group, input), 10);
  });

  it('an aborted transaction shows nothing to a read_committed consumer and commits no offset', async () => {
    const { input, output } = await topicsWithInput('abort', 5);
    const group = uniqueName('abort');
    const transport = await transactionalReader(input, group, 5);
    const transactions = transport.transactions!;
    transactions.begin();
    await produceAll(transport, Array.from({ length: 5 }, (_, i) => outgoing(output, null, `aborted-${i}`)));
    await transactions.abort(TIMEOUT_MS);
    // A committed marker after the aborted records: once a reader sees it, it has passed them.
    transactions.begin();
    await produceAll(transport, [outgoing(output, null, 'marker')]);
    await transactions.commit([], TIMEOUT_MS);
    const seen = await readFor(output, 10_000, false, (r) => r.length >= 1);
    assert.deepEqual(values(seen), ['marker']);
    // Records are acknowledged once librdkafka holds them: an abort may purge some before they
    // were sent. Those that were sent stay in the log, for read_uncommitted readers only.
    const raw = values(await readFor(output, 3000, true, (r) => r.length >= 6));
    assert.equal(raw.at(-1), 'marker');
    assert.ok(raw.slice(0, -1).every((v) => v.startsWith('aborted-')) && raw.length <= 6, `read_uncommitted: ${raw.join(', ')}`);
    assert.equal(await committedOffset(group, input), undefined, 'the aborted input stays uncommitted');
    await transport.close();
    // The next member of the group reads the aborted input again.
    const next = await connected({ groupId: group });
    next.subscribe([input], ignoreRebalance);
    const again: RawRecord[] = [];
    await fetchUntil(next, again, () => again.length >= 5, 'the input again');
    assert.deepEqual(values(again), ['in-0', 'in-1', 'in-2', 'in-3', 'in-4']);
  });

  it('a restarted instance (same client id) fences its predecessor: the open transaction is aborted, its commit refused', async () => {
    const { input, output } = await topicsWithInput('fence', 3);
    const group = uniqueName('fence');
    const clientId = uniqueName('instance');
    const zombie = await connected({ clientId, groupId: group, transactional: true, idempotent: true });
    await zombie.transactions!.init(TIMEOUT_MS);
    zombie.transactions!.begin();
    await produceAll(zombie, [outgoing(output, null, 'from-the-zombie')]);
    const successor = await connected({ clientId, groupId: uniqueName('fence-other'), transactional: true, idempotent: true });
    await successor.transactions!.init(TIMEOUT_MS);
    await assert.rejects(zombie.transactions!.commit([{ topic: input, partition: 0, offset: 3 }], TIMEOUT_MS), { code: ErrorCode.Broker });
    successor.transactions!.begin();
    await produceAll(successor, [outgoing(output, null, 'marker')]);
    await successor.transactions!.commit([], TIMEOUT_MS);
    assert.deepEqual(values(await readFor(output, 10_000, false, (r) => r.length >= 1)), ['marker']);
    assert.equal(await committedOffset(group, input), undefined);
  });

  it('a record sent while no transaction is open (a generator, a loop) goes out at once, in no transaction', async () => {
    const { input, output } = await topicsWithInput('outside', 1);
    const transport = await transactionalReader(input, uniqueName('outside'), 1);
    await produceAll(transport, [outgoing(output, null, 'from-a-loop')]);
    // No commit needed: read_committed readers see it at once.
    assert.deepEqual(values(await readFor(output, 10_000, false, (r) => r.length >= 1)), ['from-a-loop']);
  });

  it('without a consumer group the producer is idempotent, not transactional: records go out at once', async () => {
    const output = uniqueName('source-out');
    const source = await connected({ transactional: true, idempotent: true });
    await source.transactions!.init(TIMEOUT_MS);
    await source.ensureTopics([{ topic: output, partitions: 1 }]);
    await produceAll(source, [outgoing(output, null, 'generated')]);
    assert.deepEqual(values(await readFor(output, 10_000, false, (r) => r.length >= 1)), ['generated']);
  });
});
