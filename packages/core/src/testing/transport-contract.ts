import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode } from '../errors.js';
import { partitionForKey } from '../partition/murmur2.js';
import type { OutgoingRecord, RawRecord, TopicPartition } from '../transport/records.js';
import type { RebalanceListener, Transport, TransportFactory } from '../transport/transport.js';

/** What {@link describeTransportContract} runs against. */
export interface TransportContractSetup {
  factory: TransportFactory;
  /** Runs once after the suite (stop the broker, ...). */
  cleanup?: () => Promise<void>;
}

// Generous for a real broker, where a group rebalance takes seconds; a passing embedded run
// never waits for them.
const DEADLINE_MS = 60_000;
const TEST_TIMEOUT_MS = 180_000;
const POLL_WAIT_MS = 100;

/**
 * Registers, with `node:test`, the behaviour every {@link Transport} must show: round trips of
 * key, value, headers and timestamp; Java-compatible key partitioning; one `onAcked` per produce
 * call; consumer groups that split partitions, hand them over after `onRevoked` settled and resume
 * from committed offsets; pause and resume; fetch timeouts; an idempotent close. Each test uses
 * topics and groups with a random suffix, so a shared broker can run it repeatedly.
 * The transport must start a new group at the earliest offset and never commit on its own.
 */
export function describeTransportContract(
  name: string,
  setup: () => Promise<TransportContractSetup>,
): void {
  describe(`transport contract: ${name}`, () => {
    let context: TransportContractSetup | undefined;
    before(async () => {
      context = await setup();
    });
    after(async () => {
      await context?.cleanup?.();
    });
    const test = (title: string, body: (h: Harness) => Promise<void>): void => {
      it(title, { timeout: TEST_TIMEOUT_MS }, async () => {
        const harness = new Harness(context!.factory);
        try {
          await body(harness);
        } finally {
          await harness.close();
        }
        assert.deepEqual(harness.violations, []);
      });
    };

    test('a record comes back with its key, value, headers and timestamp', async (h) => {
      const topic = h.name('roundtrip');
      const producer = await h.open();
      await producer.ensureTopics([{ topic, partitions: 3 }]);
      const timestamp = Date.now() - 60_000;
      const sentAt = Date.now();
      await h.produce(producer, [
        record(topic, 'k1', 'v1', { headers: [{ 'h-one': Buffer.from('a') }, { 'h-two': 'b' }], timestamp }),
        record(topic, null, 'v2'),
      ]);
      const ackedAt = Date.now();
      // Subscribing after producing: a new group starts at the earliest offset.
      const member = await h.member('roundtrip', [topic]);
      await h.pump([member], () => member.received.length >= 2, 'two records');
      const [keyed, keyless] = ['v1', 'v2'].map((v) => member.received.find((r) => text(r.value) === v)!);
      assert.equal(keyed!.topic, topic);
      assert.equal(text(keyed!.key), 'k1');
      assert.equal(keyed!.partition, partitionForKey(Buffer.from('k1'), 3));
      assert.ok(Number.isInteger(keyed!.offset) && keyed!.offset >= 0);
      assert.deepEqual(headerPairs(keyed!), [['h-one', 'a'], ['h-two', 'b']]);
      assert.equal(keyed!.timestamp, timestamp);
      assert.equal(keyless!.key, null);
      assert.deepEqual(headerPairs(keyless!), []);
      assert.ok(keyless!.timestamp >= sentAt - 5_000 && keyless!.timestamp <= ackedAt + 5_000);
    });

    test('keyed records go to the partition Java clients pick (murmur2), in order', async (h) => {
      const topic = h.name('keys');
      const producer = await h.open();
      await producer.ensureTopics([{ topic, partitions: 5 }]);
      const sent: OutgoingRecord[] = [];
      for (let i = 0; i < 60; i++) sent.push(record(topic, i % 2 ? `user-${i % 12}` : Buffer.from(`user-${i % 12}`), `${i}`));
      sent.push(record(topic, 'clé-ü', 'utf8'), record(topic, 'user-1', 'pinned', { partition: 4 }));
      await h.produce(producer, sent);
      const member = await h.member('keys', [topic]);
      await h.pump([member], () => member.received.length >= sent.length, 'every keyed record');
      const lastOffset = new Map<number, number>();
      const lastValue = new Map<string, number>();
      for (const r of member.received) {
        const expected = text(r.value) === 'pinned' ? 4 : partitionForKey(Buffer.from(text(r.key), 'utf8'), 5);
        assert.equal(r.partition, expected, `key ${text(r.key)}`);
        assert.ok(r.offset > (lastOffset.get(r.partition) ?? -1), 'offsets grow within a partition');
        lastOffset.set(r.partition, r.offset);
        if (/^\d+$/.test(text(r.value))) {
          assert.ok(Number(text(r.value)) > (lastValue.get(text(r.key)) ?? -1), 'one key keeps its order');
          lastValue.set(text(r.key), Number(text(r.value)));
        }
      }
    });

    test('onAcked runs once per produce call, later, and before flush resolves', async (h) => {
      const topic = h.name('acks');
      const producer = await h.open();
      await producer.ensureTopics([{ topic, partitions: 2 }]);
      const batches = [[1, 2, 3], [4], []].map((ns) => ns.map((n) => record(topic, `${n}`, `${n}`)));
      const calls = batches.map(() => 0);
      let returned = false;
      batches.forEach((batch, i) => {
        producer.produce(batch, (err) => {
          if (!returned) h.violations.push(`onAcked of call ${i} ran inside produce`);
          if (err) h.violations.push(`call ${i} failed: ${err.message}`);
          calls[i]!++;
        });
      });
      returned = true;
      await producer.flush(DEADLINE_MS);
      assert.deepEqual(calls, [1, 1, 1]);
      await h.produce(producer, [record(topic, 'later', 'later')]);
      assert.deepEqual(calls, [1, 1, 1], 'no acknowledgement came twice');
    });

    test('two members of a group split the partitions and get each record once', async (h) => {
      const topic = h.name('split');
      const producer = await h.open();
      await producer.ensureTopics([{ topic, partitions: 4 }]);
      const [a, b] = [await h.member('split', [topic]), await h.member('split', [topic])];
      await h.pump([a!, b!], () => splitsAll([a!, b!], 4), 'both members assigned');
      const sent = Array.from({ length: 200 }, (_, i) => record(topic, `k${i}`, `${i}`));
      await h.produce(producer, sent);
      await h.pump([a!, b!], () => a!.received.length + b!.received.length >= 200, '200 records');
      await h.fetchAll([a!, b!]);
      for (const m of [a!, b!]) {
        for (const r of m.received) assert.ok(m.owns(r.topic, r.partition), 'a member only gets its partitions');
      }
      const all = [...a!.received, ...b!.received];
      assert.equal(all.length, 200, 'no record twice');
      assert.equal(new Set(all.map((r) => text(r.value))).size, 200, 'every record once');
    });

    test('a member that leaves hands its partitions over once its onRevoked settled', async (h) => {
      const topic = h.name('handover');
      const producer = await h.open();
      await producer.ensureTopics([{ topic, partitions: 4 }]);
      const a = await h.member('handover', [topic], { commitOnRevoke: true, revokeDelayMs: 300 });
      const b = await h.member('handover', [topic], { commitOnRevoke: true });
      await h.pump([a, b], () => splitsAll([a, b], 4), 'both members assigned');
      const fromA = a.owned.map((tp) => tp.partition);
      b.onAssignedCheck = (partitions) => {
        if (partitions.some((tp) => fromA.includes(tp.partition)) && !a.revokeSettled) {
          h.violations.push('b got partitions of a before a.onRevoked settled');
        }
      };
      await h.produce(producer, Array.from({ length: 40 }, (_, i) => record(topic, `k${i}`, `old${i}`)));
      await h.pump([a, b], () => a.received.length + b.received.length >= 40, 'the first 40 records');
      a.revokeSettled = false;
      let closed = false;
      const closing = a.transport.close().then(() => (closed = true));
      await h.pump([b], () => closed && b.owned.length === 4, 'b owning every partition');
      await closing;
      assert.ok(a.revokeSettled, 'close awaited onRevoked');
      const mark = b.received.length;
      await h.produce(producer, Array.from({ length: 40 }, (_, i) => record(topic, `k${i}`, `new${i}`)));
      await h.pump([b], () => b.received.length - mark >= 40, 'the next 40 records');
      await h.fetchAll([b]);
      const fresh = b.received.slice(mark).map((r) => text(r.value));
      assert.deepEqual(fresh.sort(), Array.from({ length: 40 }, (_, i) => `new${i}`).sort(), 'committed work is not replayed');
    });

    test('a new member of the group resumes from the committed offset', async (h) => {
      const topic = h.name('resume');
      const producer = await h.open();
      await producer.ensureTopics([{ topic, partitions: 1 }]);
      await h.produce(producer, Array.from({ length: 20 }, (_, i) => record(topic, null, `${i}`)));
      const a = await h.member('resume', [topic]);
      await h.pump([a], () => a.received.length >= 20, 'the 20 records');
      await a.transport.commit([{ topic, partition: 0, offset: 10 }]);
      await a.transport.close();
      const b = await h.member('resume', [topic]);
      await h.pump([b], () => b.received.length >= 10, 'the uncommitted records');
      await h.fetchAll([b]);
      assert.deepEqual(b.received.map((r) => r.offset), Array.from({ length: 10 }, (_, i) => 10 + i));
    });

    test('a paused partition delivers nothing until resumed', async (h) => {
      const topic = h.name('pause');
      const producer = await h.open();
      await producer.ensureTopics([{ topic, partitions: 2 }]);
      const m = await h.member('pause', [topic]);
      await h.pump([m], () => m.owned.length === 2, 'both partitions assigned');
      m.transport.pause([{ topic, partition: 0 }]);
      await h.produce(producer, [0, 1].flatMap((p) => Array.from({ length: 10 }, (_, i) => record(topic, null, `${p}-${i}`, { partition: p }))));
      const from = (p: number): number => m.received.filter((r) => r.partition === p).length;
      await h.pump([m], () => from(1) === 10, 'the unpaused partition');
      await h.fetchAll([m], 1_000);
      assert.equal(from(0), 0, 'nothing from the paused partition');
      m.transport.resume([{ topic, partition: 0 }]);
      await h.pump([m], () => from(0) === 10, 'the resumed partition');
    });

    test('partitions paused as they are assigned deliver nothing, through rebalances, until resumed', async (h) => {
      // A table's restore pauses partitions from onAssigned, in the assignment's own turn.
      const topics = [h.name('assign-pause-a'), h.name('assign-pause-b')];
      const producer = await h.open();
      await producer.ensureTopics(topics.map((topic) => ({ topic, partitions: 4 })));
      await h.produce(producer, topics.flatMap((topic) => Array.from({ length: 400 }, (_, i) => record(topic, null, `${i}`, { partition: i % 4 }))));
      const members: Member[] = [];
      const join = async (): Promise<void> => {
        const member = await h.member('assign-pause', topics);
        member.onAssignedCheck = (partitions) => member.transport.pause(partitions);
        members.push(member);
      };
      const received = () => members.reduce((n, m) => n + m.received.length, 0);
      for (let size = 1; size <= 3; size++) {
        await join();
        await h.pump(members, () => splitsAll(members, 8), `8 partitions split among ${size}`);
        await h.fetchAll(members, 1_000);
        assert.equal(received(), 0, `nothing delivered with ${size} member(s)`);
      }
      for (const member of members.splice(1)) await member.transport.close();
      const [last] = members;
      await h.pump(members, () => last!.owned.length === 8, 'every partition back with one member');
      await h.fetchAll(members, 1_000);
      assert.equal(received(), 0, 'nothing delivered after the others left');
      last!.transport.resume(last!.owned);
      await h.pump(members, () => last!.received.length >= 800, 'every record once resumed');
      await h.fetchAll(members);
      assert.equal(last!.received.length, 800, 'nothing twice');
      assert.equal(new Set(last!.received.map((r) => `${r.topic}/${r.partition}/${r.offset}`)).size, 800, 'each record');
    });

    test('fetch with nothing to read waits about waitMs, then returns []', async (h) => {
      const topic = h.name('idle');
      const m = await h.member('idle', [topic], { partitions: 1 });
      await h.pump([m], () => m.owned.length === 1, 'the partition assigned');
      const started = Date.now();
      const records = await h.fetch(m.transport, 100, 1_000);
      const elapsed = Date.now() - started;
      assert.deepEqual(records, []);
      assert.ok(elapsed >= 900 && elapsed < 11_000, `waited ${elapsed} ms for waitMs 1000`);
    });

    test('partitionCount names a topic\'s partitions, and undefined for a missing one without creating it', async (h) => {
      const topic = h.name('count');
      const missing = h.name('missing');
      const client = await h.open();
      await client.ensureTopics([{ topic, partitions: 5, config: { 'cleanup.policy': 'compact' } }]);
      assert.equal(await client.partitionCount(topic), 5);
      assert.equal(await client.partitionCount(missing), undefined);
      assert.equal(await client.partitionCount(missing), undefined, 'asking did not create it');
    });

    test('a reader reads partitions from an offset up to their end, outside any group', async (h) => {
      const topic = h.name('reader');
      const producer = await h.open();
      await producer.ensureTopics([{ topic, partitions: 2 }]);
      await h.produce(producer, Array.from({ length: 30 }, (_, i) => record(topic, null, `${i}`, { partition: i % 2 })));
      const reader = producer.createReader();
      try {
        const marks = await reader.watermarks([
          { topic, partition: 0 },
          { topic, partition: 1 },
        ]);
        assert.deepEqual(marks.map(({ partition, low, high }) => [partition, low, high]), [
          [0, 0, 15],
          [1, 0, 15],
        ]);
        const read: RawRecord[] = [];
        const ends = await reader.readToEnd(
          [
            { topic, partition: 0, offset: 10 },
            { topic, partition: 1, offset: 15 },
          ],
          (batch) => {
            read.push(...batch);
          },
        );
        assert.deepEqual(ends.map(({ partition, offset }) => [partition, offset]), [
          [0, 15],
          [1, 15],
        ]);
        assert.deepEqual(read.map((r) => [r.partition, r.offset]), [10, 11, 12, 13, 14].map((o) => [0, o]));
      } finally {
        await reader.close();
      }
    });

    test('co-partitioned members of a group get the same partition numbers of every topic', async (h) => {
      const [left, right] = [h.name('copart-l'), h.name('copart-r')];
      const producer = await h.open();
      await producer.ensureTopics([
        { topic: left, partitions: 3 },
        { topic: right, partitions: 3 },
      ]);
      const members: Member[] = [];
      for (let i = 0; i < 2; i++) {
        const transport = h.factory.create({ clientId: h.name(`copart${i}`), groupId: h.name('copart'), copartitioned: true });
        h.track(transport);
        await transport.connect();
        const member = new Member(transport, {});
        transport.subscribe([left, right], member);
        members.push(member);
      }
      await h.pump(members, () => members.every((m) => m.owned.length > 0) && members.reduce((n, m) => n + m.owned.length, 0) === 6, 'six partitions assigned');
      for (const member of members) {
        const numbers = (topic: string) => member.owned.filter((tp) => tp.topic === topic).map((tp) => tp.partition).sort();
        assert.deepEqual(numbers(left), numbers(right));
      }
    });

    test('skipTo moves a paused partition past records it must not deliver, never back', async (h) => {
      const topic = h.name('skip');
      const producer = await h.open();
      await producer.ensureTopics([{ topic, partitions: 1 }]);
      await h.produce(producer, Array.from({ length: 10 }, (_, i) => record(topic, null, `${i}`, { partition: 0 })));
      const member = await h.member('skip', [topic], { partitions: 1 });
      member.onAssignedCheck = (partitions) => member.transport.pause(partitions);
      await h.pump([member], () => member.owned.length === 1, 'the partition assigned');
      await member.transport.skipTo([{ topic, partition: 0, offset: 6 }]);
      await member.transport.skipTo([{ topic, partition: 0, offset: 3 }]);
      member.transport.resume([{ topic, partition: 0 }]);
      await h.pump([member], () => member.received.length >= 4, 'the records from offset 6');
      await h.fetchAll([member]);
      assert.deepEqual(member.received.map((r) => r.offset), [6, 7, 8, 9]);
    });

    test('close is idempotent and later calls fail with CATENAE_CLOSED', async (h) => {
      const topic = h.name('close');
      const m = await h.member('close', [topic], { partitions: 1 });
      await h.pump([m], () => m.owned.length === 1, 'the partition assigned');
      await Promise.all([m.transport.close(), m.transport.close()]);
      await m.transport.close();
      const acked = await new Promise<Error | null>((resolve) => m.transport.produce([record(topic, null, 'x')], resolve));
      assert.equal((acked as { code?: string } | null)?.code, ErrorCode.Closed);
      await assert.rejects(h.fetch(m.transport, 1, 10), { code: ErrorCode.Closed });
      await assert.rejects(m.transport.commit([{ topic, partition: 0, offset: 0 }]), { code: ErrorCode.Closed });
    });
  });
}

interface MemberOptions {
  commitOnRevoke?: boolean;
  revokeDelayMs?: number;
  partitions?: number;
}

/** A group member that records what it is given, as a runtime would. */
class Member implements RebalanceListener {
  owned: TopicPartition[] = [];
  readonly received: RawRecord[] = [];
  revokeSettled = false;
  onAssignedCheck: ((partitions: TopicPartition[]) => void) | undefined;
  readonly #next = new Map<string, number>();

  constructor(
    readonly transport: Transport,
    readonly options: MemberOptions,
  ) {}

  owns(topic: string, partition: number): boolean {
    return this.owned.some((tp) => tp.topic === topic && tp.partition === partition);
  }

  take(records: RawRecord[]): void {
    for (const r of records) {
      this.received.push(r);
      this.#next.set(`${r.topic}\0${r.partition}`, r.offset + 1);
    }
  }

  // Added and removed as sets, so both eager (all, then all) and incremental listeners fit.
  onAssigned(partitions: TopicPartition[]): void {
    this.onAssignedCheck?.(partitions);
    for (const tp of partitions) if (!this.owns(tp.topic, tp.partition)) this.owned.push(tp);
  }

  async onRevoked(partitions: TopicPartition[]): Promise<void> {
    if (this.options.revokeDelayMs) await delay(this.options.revokeDelayMs);
    if (this.options.commitOnRevoke) {
      const offsets = partitions
        .map((tp) => ({ ...tp, offset: this.#next.get(`${tp.topic}\0${tp.partition}`) ?? -1 }))
        .filter((o) => o.offset >= 0);
      if (offsets.length > 0) await this.transport.commit(offsets);
    }
    this.owned = this.owned.filter((o) => !partitions.some((tp) => tp.topic === o.topic && tp.partition === o.partition));
    this.revokeSettled = true;
  }
}

/** One test's transports, names and broken promises. */
class Harness {
  readonly violations: string[] = [];
  readonly #transports: Transport[] = [];
  readonly #suffix = randomBytes(4).toString('hex');

  constructor(readonly factory: TransportFactory) {}

  name(label: string): string {
    return `catenae-contract-${label}-${this.#suffix}`;
  }

  /** Closes `transport` with the others at the end of the test. */
  track(transport: Transport): void {
    this.#transports.push(transport);
  }

  async open(groupLabel?: string): Promise<Transport> {
    const groupId = groupLabel === undefined ? undefined : this.name(groupLabel);
    const transport = this.factory.create({ clientId: this.name(`client${this.#transports.length}`), groupId });
    this.#transports.push(transport);
    await transport.connect();
    return transport;
  }

  async member(groupLabel: string, topics: string[], options: MemberOptions = {}): Promise<Member> {
    const transport = await this.open(groupLabel);
    await transport.ensureTopics(topics.map((topic) => ({ topic, partitions: options.partitions })));
    const member = new Member(transport, options);
    transport.subscribe(topics, member);
    return member;
  }

  produce(transport: Transport, records: OutgoingRecord[]): Promise<void> {
    return new Promise((resolve, reject) => {
      let calls = 0;
      transport.produce(records, (err) => {
        if (++calls > 1) this.violations.push('onAcked called twice');
        if (err) reject(err);
        else resolve();
      });
    });
  }

  fetch(transport: Transport, max: number, waitMs: number): Promise<RawRecord[]> {
    return new Promise((resolve, reject) => {
      let calls = 0;
      let returned = false;
      transport.fetch(max, waitMs, (err, records) => {
        if (!returned) this.violations.push('fetch called done synchronously');
        if (++calls > 1) this.violations.push('fetch called done twice');
        if (err) reject(err);
        else resolve(records);
      });
      returned = true;
    });
  }

  /** Fetches on every member, in parallel, until `until()` holds; fails after the deadline. */
  async pump(members: Member[], until: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + DEADLINE_MS;
    while (!until()) {
      if (Date.now() > deadline) assert.fail(`timed out after ${DEADLINE_MS} ms waiting for ${what}`);
      await Promise.all(members.map(async (m) => m.take(await this.fetch(m.transport, 500, POLL_WAIT_MS))));
    }
  }

  /** Keeps fetching for `quietMs` more, to catch anything delivered twice or too much. */
  async fetchAll(members: Member[], quietMs = 500): Promise<void> {
    const end = Date.now() + quietMs;
    while (Date.now() < end) {
      await Promise.all(members.map(async (m) => m.take(await this.fetch(m.transport, 500, POLL_WAIT_MS))));
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#transports.map((t) => t.close()));
  }
}

function record(
  topic: string,
  key: string | Buffer | null,
  value: string,
  extra: { partition?: number; headers?: OutgoingRecord['headers']; timestamp?: number } = {},
): OutgoingRecord {
  return { topic, partition: extra.partition, key, value: Buffer.from(value), headers: extra.headers, timestamp: extra.timestamp };
}

function text(bytes: Buffer | string | null | undefined): string {
  return bytes == null ? '' : Buffer.from(bytes).toString('utf8');
}

function headerPairs(r: RawRecord): Array<[string, string]> {
  return (r.headers ?? []).flatMap((h) => Object.entries(h).map(([k, v]): [string, string] => [k, text(v)]));
}

function splitsAll(members: Member[], partitions: number): boolean {
  const owned = members.flatMap((m) => m.owned.map((tp) => `${tp.topic}\0${tp.partition}`));
  return members.every((m) => m.owned.length > 0) && owned.length === partitions && new Set(owned).size === partitions;
}
