import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../errors.js';
import type { RawRecord, TopicPartition } from '../transport/records.js';
import type { TransportOptions } from '../transport/transport.js';
import { EmbeddedBroker } from './embedded-broker.js';
import { EmbeddedTransportFactory, type EmbeddedTransport } from './embedded-transport.js';

/** A group member that logs its rebalance events. */
class Probe {
  readonly events: string[] = [];
  readonly received: RawRecord[] = [];
  owned: string[] = [];
  revoke: (partitions: TopicPartition[]) => Promise<void> | void = () => {};
  readonly transport: EmbeddedTransport;

  constructor(factory: EmbeddedTransportFactory, readonly name: string, groupId = 'g', config?: TransportOptions['config']) {
    this.transport = factory.create({ clientId: name, groupId, config });
  }

  subscribe(topics: string[]): this {
    this.transport.subscribe(topics, {
      onAssigned: (ps) => {
        this.owned = ps.map(label);
        this.events.push(`${this.name} assigned ${this.owned.join(' ')}`);
      },
      onRevoked: (ps) => {
        this.events.push(`${this.name} revoking ${ps.map(label).join(' ')}`);
        return this.revoke(ps);
      },
    });
    return this;
  }

  fetch(max = 1_000, waitMs = 20): Promise<RawRecord[]> {
    return new Promise((resolve, reject) =>
      this.transport.fetch(max, waitMs, (err, rs) => {
        this.received.push(...rs);
        if (err) reject(err);
        else resolve(rs);
      }),
    );
  }
}

const label = (tp: TopicPartition): string => `${tp.topic}${tp.partition}`;

async function settled(broker: EmbeddedBroker, probes: Probe[]): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!broker.idle() || probes.some((p) => p.transport.assignment().length !== p.owned.length)) {
    assert.ok(Date.now() < deadline, 'the group did not settle');
    await Promise.all(probes.map((p) => p.fetch(1_000, 5)));
  }
}

function setup(options?: ConstructorParameters<typeof EmbeddedBroker>[0]) {
  const broker = new EmbeddedBroker(options);
  return { broker, factory: new EmbeddedTransportFactory(broker) };
}

describe('consumer groups on the embedded broker', () => {
  it('spreads the partitions of every subscribed topic round-robin, in join order', async () => {
    const { broker, factory } = setup();
    broker.createTopic('a', 3);
    broker.createTopic('b', 3);
    const [m1, m2] = [new Probe(factory, 'm1').subscribe(['a', 'b']), new Probe(factory, 'm2').subscribe(['b', 'a'])];
    await settled(broker, [m1, m2]);
    // Kafka's RoundRobinAssignor over a0 a1 a2 b0 b1 b2.
    assert.deepEqual(m1.owned, ['a0', 'a2', 'b1']);
    assert.deepEqual(m2.owned, ['a1', 'b0', 'b2']);
  });

  it('gives a topic only to the members that subscribe to it', async () => {
    const { broker, factory } = setup();
    broker.createTopic('a', 2);
    broker.createTopic('b', 2);
    const [m1, m2] = [new Probe(factory, 'm1').subscribe(['a']), new Probe(factory, 'm2').subscribe(['a', 'b'])];
    await settled(broker, [m1, m2]);
    assert.deepEqual(m1.owned, ['a0']);
    assert.deepEqual(m2.owned, ['a1', 'b0', 'b1']);
  });

  it('revokes every member and awaits its onRevoked before assigning anyone (eager protocol)', async () => {
    const { broker, factory } = setup();
    broker.createTopic('t', 2);
    const m1 = new Probe(factory, 'm1').subscribe(['t']);
    await settled(broker, [m1]);
    const log: string[] = [];
    m1.revoke = async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      log.push('m1 revoke settled');
    };
    const m2 = new Probe(factory, 'm2');
    m2.transport.subscribe(['t'], { onAssigned: (ps) => log.push(`m2 assigned ${ps.map(label).join(' ')}`), onRevoked() {} });
    await settled(broker, [m1]);
    while (!log.some((e) => e.startsWith('m2'))) await m2.fetch(1, 5);
    assert.deepEqual(log, ['m1 revoke settled', 'm2 assigned t1']);
    assert.deepEqual(m1.events, ['m1 assigned t0 t1', 'm1 revoking t0 t1', 'm1 assigned t0']);
  });

  it('rebalances when a subscription changes or a subscribed topic appears', async () => {
    const { broker, factory } = setup();
    const m = new Probe(factory, 'm').subscribe(['later']);
    await settled(broker, [m]);
    assert.deepEqual(m.owned, []);
    broker.append([{ topic: 'later', partition: 1, key: null, value: null, headers: undefined, timestamp: undefined }]);
    await settled(broker, [m]);
    assert.deepEqual(m.owned, ['later0', 'later1', 'later2', 'later3']);
    await m.fetch();
    assert.equal(m.received.length, 1, 'a new group reads from the earliest offset');
    broker.createTopic('other', 1);
    m.subscribe(['other']);
    await settled(broker, [m]);
    assert.deepEqual(m.owned, ['other0']);
  });

  it('moves on after rebalanceTimeoutMs when onRevoked never settles, and tells that member', async () => {
    const { broker, factory } = setup({ rebalanceTimeoutMs: 100 });
    broker.createTopic('t', 2);
    const stuck = new Probe(factory, 'stuck').subscribe(['t']);
    await settled(broker, [stuck]);
    stuck.revoke = () => new Promise(() => {});
    const other = new Probe(factory, 'other').subscribe(['t']);
    await settled(broker, [other]);
    assert.deepEqual(other.owned, ['t1']);
    await assert.rejects(stuck.fetch(), { code: ErrorCode.Broker, message: /did not settle within 100 ms/ });
  });

  it('passes an onRevoked failure to the member’s next fetch and still rebalances', async () => {
    const { broker, factory } = setup();
    broker.createTopic('t', 2);
    const m1 = new Probe(factory, 'm1').subscribe(['t']);
    await settled(broker, [m1]);
    m1.revoke = () => {
      throw new Error('commit failed');
    };
    const m2 = new Probe(factory, 'm2').subscribe(['t']);
    await assert.rejects(m1.fetch(), /commit failed/);
    await settled(broker, [m1, m2]);
    assert.deepEqual([m1.owned, m2.owned], [['t0'], ['t1']]);
  });

  it('rejects a commit for a partition the member does not own', async () => {
    const { broker, factory } = setup();
    broker.createTopic('t', 2);
    const [m1, m2] = [new Probe(factory, 'm1').subscribe(['t']), new Probe(factory, 'm2').subscribe(['t'])];
    await settled(broker, [m1, m2]);
    await assert.rejects(m1.transport.commit([{ topic: 't', partition: 1, offset: 1 }]), { code: ErrorCode.Broker, message: /does not own/ });
    await assert.rejects(m1.transport.commit([{ topic: 't', partition: 0, offset: -1 }]), { code: ErrorCode.Broker });
    const loner = factory.create({ clientId: 'loner' });
    assert.throws(() => loner.subscribe(['t'], { onAssigned() {}, onRevoked() {} }), { code: ErrorCode.Broker, message: /without a groupId/ });
  });

  it('starts at the latest offset with auto.offset.reset=latest', async () => {
    const { broker, factory } = setup();
    broker.createTopic('t', 1);
    broker.append([{ topic: 't', partition: 0, key: null, value: null, headers: undefined, timestamp: undefined }]);
    const m = new Probe(factory, 'm', 'g', { 'auto.offset.reset': 'latest' }).subscribe(['t']);
    await settled(broker, [m]);
    assert.deepEqual(await m.fetch(), []);
  });

  it('forgets pauses when partitions are reassigned, as Kafka does', async () => {
    const { broker, factory } = setup();
    broker.createTopic('t', 1);
    const m1 = new Probe(factory, 'm1').subscribe(['t']);
    await settled(broker, [m1]);
    m1.transport.pause([{ topic: 't', partition: 0 }]);
    const m2 = new Probe(factory, 'm2').subscribe(['t']);
    await settled(broker, [m1, m2]);
    broker.append([{ topic: 't', partition: 0, key: null, value: null, headers: undefined, timestamp: undefined }]);
    assert.equal((await m1.fetch()).length, 1);
  });

  it('rotates the first partition of each fetch so no partition starves', async () => {
    const { broker, factory } = setup();
    broker.createTopic('t', 3);
    const m = new Probe(factory, 'm').subscribe(['t']);
    await settled(broker, [m]);
    broker.append([0, 1, 2].flatMap((p) => Array.from({ length: 10 }, () => ({ topic: 't', partition: p, key: null, value: null, headers: undefined, timestamp: undefined }))));
    const firsts = [];
    for (let i = 0; i < 3; i++) firsts.push((await m.fetch(5))[0]!.partition);
    assert.deepEqual(firsts.sort(), [0, 1, 2]);
  });

  it('answers every fetch exactly once, even several at a time and across close', async () => {
    const { broker, factory } = setup();
    broker.createTopic('t', 1);
    const m = new Probe(factory, 'm').subscribe(['t']);
    await settled(broker, [m]);
    const calls = [0, 0, 0];
    const waiting = calls.map((_, i) => new Promise<number>((resolve) => m.transport.fetch(10, 10_000, (_err, rs) => resolve((calls[i]! += 1) && rs.length))));
    broker.append([{ topic: 't', partition: 0, key: null, value: null, headers: undefined, timestamp: undefined }]);
    const first = await waiting[0];
    await m.transport.close();
    assert.deepEqual([first, await waiting[1], await waiting[2]], [1, 0, 0], 'fetches pending at close get []');
    assert.deepEqual(calls, [1, 1, 1]);
  });
});
