import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { CatenaeError, ErrorCode, TRANSACTION_MEMBERSHIP_LOST, type OutgoingRecord, type PartitionOffset, type TopicPartition } from '@catenae/core';
import Kafka from 'node-rdkafka';
import { kafkaLogChannel, type KafkaLogMessage } from './diagnostics.js';
import { KafkaTransactions, type TransactionHost } from './kafka-transactions.js';

type Done = (err: unknown) => void;
/** How a fake producer answers one transactional call: at once, with an error, or never. */
type Answer = 'ok' | 'never' | Error;

// A transactional node-rdkafka producer stand-in: each call answers as its queue of answers says
// (then 'ok'), and every call is logged with the producer's number.
class FakeProducer {
  readonly answers: Record<string, Answer[]> = {};
  /** The callbacks of calls answered 'never', to answer late. */
  readonly waiting: Done[] = [];
  constructor(
    readonly id: number,
    readonly log: string[],
  ) {}
  #answer(call: string, done: Done): void {
    this.log.push(`${this.id}:${call}`);
    const answer = this.answers[call]?.shift() ?? 'ok';
    if (answer === 'never') this.waiting.push(done);
    else setImmediate(done, answer === 'ok' ? null : answer);
  }
  initTransactions(_ms: number, done: Done): void {
    this.#answer('init', done);
  }
  beginTransaction(done: Done): void {
    this.#answer('begin', done);
  }
  sendOffsetsToTransaction(_offsets: unknown, _consumer: unknown, _ms: number, done: Done): void {
    this.#answer('offsets', done);
  }
  commitTransaction(_ms: number, done: Done): void {
    this.#answer('commit', done);
  }
  abortTransaction(_ms: number, done: Done): void {
    this.#answer('abort', done);
  }
}

/** node-rdkafka's error shape for a librdkafka transactional error. */
function rdkafkaError(code: number, flags: { isTxnRequiresAbort?: boolean; isRetriable?: boolean; isFatal?: boolean }): Error {
  return Object.assign(new Error(`error ${code}`), { code, isTxnRequiresAbort: false, isRetriable: false, isFatal: false, ...flags });
}

const OFFSETS: PartitionOffset[] = [{ topic: 'in', partition: 0, offset: 42 }];
const record = (value: string): OutgoingRecord => ({ topic: 'out', partition: undefined, key: null, value: Buffer.from(value), headers: undefined, timestamp: undefined });

// A record that waited longer than `message.timeout.ms`, as the transport reports it.
const timedOut = new CatenaeError(ErrorCode.Delivery, 'a record for topic "out" was not delivered: Local: Message timed out');

/** The fake host's state a test may change: a revoke adds one to `revokes` and records its partitions' number in `revokedAt`. */
interface HostState {
  revokes: number;
  revokedAt: Map<string, number>;
  failedDelivery: Error | undefined;
  revokeExpectedUntil: number;
}

function revoke(state: HostState, partitions: TopicPartition[]): void {
  state.revokes++;
  for (const { topic, partition } of partitions) state.revokedAt.set(`${topic}[${partition}]`, state.revokes);
}

function setup(committed = 0): { transactions: KafkaTransactions; producers: FakeProducer[]; log: string[]; produced: string[]; host: HostState } {
  const log: string[] = [];
  const producers = [new FakeProducer(1, log)];
  const produced: string[] = [];
  const state: HostState = { revokes: 0, revokedAt: new Map(), failedDelivery: undefined, revokeExpectedUntil: 0 };
  const consumer = {
    committed: (partitions: { topic: string; partition: number }[], _ms: number, done: (err: unknown, result: Kafka.TopicPartitionOffset[]) => void) =>
      setImmediate(done, null, partitions.map((p) => ({ ...p, offset: committed }))),
  };
  const host: TransactionHost = {
    clientId: 'relay-test',
    isTransactional: true,
    producer: () => producers.at(-1) as unknown as Kafka.Producer,
    consumer: () => consumer as unknown as Kafka.KafkaConsumer,
    revokes: () => state.revokes,
    revokedSince: (mark, partitions) => partitions.some(({ topic, partition }) => (state.revokedAt.get(`${topic}[${partition}]`) ?? 0) > mark),
    expectRevoke: (deadline) => (state.revokeExpectedUntil = deadline),
    produceInside: (records, onAcked) => {
      for (const r of records) produced.push(`${producers.length}:${String(r.value)}`);
      setImmediate(onAcked, null);
    },
    produceOutside: (records, onAcked) => {
      for (const r of records) produced.push(`outside:${String(r.value)}`);
      setImmediate(onAcked, null);
    },
    takeDeliveryFailure: () => {
      const failure = state.failedDelivery;
      state.failedDelivery = undefined;
      return failure;
    },
    replaceProducer: async () => {
      producers.push(new FakeProducer(producers.length + 1, log));
    },
    releaseStuckProducers: (partition) => log.push(`release through ${partition.topic}[${partition.partition}]`),
    stuckCallEnded: (producer) => log.push(`${(producer as unknown as FakeProducer).id}:ended`),
  };
  return { transactions: new KafkaTransactions(host, { stepTimeoutMs: 20, stuckGraceMs: 30 }), producers, log, produced, host: state };
}

async function transactionOf(transactions: KafkaTransactions, values: string[]): Promise<void> {
  transactions.begin();
  await new Promise<void>((resolve) => transactions.route(values.map(record), () => resolve()));
}

describe('KafkaTransactions: a commit that fails where the transaction was sound is redone', () => {
  it('sendOffsetsToTransaction never answering (librdkafka#5511): a new producer redoes the transaction and commits it', async () => {
    const { transactions, producers, log, produced } = setup();
    await transactions.init(1000);
    producers[0]!.answers.offsets = ['never'];
    await transactionOf(transactions, ['a', 'b']);
    await transactions.commit(OFFSETS, 5000);
    assert.deepEqual(log, ['1:init', '1:begin', '1:offsets', '2:init', 'release through in[0]', '2:begin', '2:offsets', '2:commit']);
    assert.deepEqual(produced, ['1:a', '1:b', '2:a', '2:b'], 'the records again, on the new producer');
  });

  it('the late answer of a call given up as stuck (fencing ended it) is logged and closes its producer', async () => {
    const { transactions, producers, log } = setup();
    const logged: KafkaLogMessage[] = [];
    const onLog = (message: unknown): void => void logged.push(message as KafkaLogMessage);
    subscribe(kafkaLogChannel.name, onLog);
    try {
      await transactions.init(1000);
      producers[0]!.answers.offsets = ['never'];
      await transactionOf(transactions, ['a']);
      await transactions.commit(OFFSETS, 5000);
      producers[0]!.waiting[0]!(rdkafkaError(-144, { isFatal: true }));
      const late = logged.filter((m) => /given up as stuck ended/.test(m.message)).map((m) => [m.clientId, m.severity, m.message.replace(/[\d.]+ s later/, 'N s later')]);
      assert.deepEqual(late, [['relay-test', 6, 'the call to send offsets to the transaction given up as stuck ended N s later: error -144']]);
      assert.equal(log.at(-1), '1:ended', 'the producer the call was made on');
    } finally {
      unsubscribe(kafkaLogChannel.name, onLog);
    }
  });

  it('an abortable error (a timeout of the group coordinator) aborts and redoes on the same producer', async () => {
    const { transactions, producers, log, produced } = setup();
    producers[0]!.answers.offsets = [rdkafkaError(Kafka.CODES.ERRORS.ERR__TIMED_OUT, { isTxnRequiresAbort: true })];
    await transactionOf(transactions, ['a']);
    await transactions.commit(OFFSETS, 5000);
    assert.deepEqual(log, ['1:begin', '1:offsets', '1:abort', '1:begin', '1:offsets', '1:commit']);
    assert.deepEqual(produced, ['1:a', '1:a']);
  });

  it('a revoke of other partitions meanwhile (the cooperative protocol): redone, the transaction still belongs to this member', async () => {
    const { transactions, producers, log, host } = setup();
    producers[0]!.answers.offsets = [rdkafkaError(Kafka.CODES.ERRORS.ERR_COORDINATOR_LOAD_IN_PROGRESS, { isTxnRequiresAbort: true })];
    await transactionOf(transactions, ['a']);
    revoke(host, [{ topic: 'in', partition: 1 }]);
    await transactions.commit(OFFSETS, 5000);
    assert.deepEqual(log, ['1:begin', '1:offsets', '1:abort', '1:begin', '1:offsets', '1:commit']);
  });

  it('an abort that failed retriably (its coordinator moving) is tried again, then the transaction redone', async () => {
    const { transactions, producers, log } = setup();
    producers[0]!.answers.offsets = [rdkafkaError(Kafka.CODES.ERRORS.ERR_COORDINATOR_LOAD_IN_PROGRESS, { isTxnRequiresAbort: true })];
    producers[0]!.answers.abort = [rdkafkaError(Kafka.CODES.ERRORS.ERR__TIMED_OUT, { isRetriable: true })];
    await transactionOf(transactions, ['a']);
    await transactions.commit(OFFSETS, 5000);
    assert.deepEqual(log, ['1:begin', '1:offsets', '1:abort', '1:abort', '1:begin', '1:offsets', '1:commit']);
  });

  it('a commit that never answered and went through is not redone: the group has its offsets', async () => {
    const { transactions, producers, log, produced } = setup(42);
    producers[0]!.answers.commit = ['never'];
    await transactionOf(transactions, ['a']);
    await transactions.commit(OFFSETS, 5000);
    assert.deepEqual(log, ['1:begin', '1:offsets', '1:commit', '2:init', 'release through in[0]']);
    assert.deepEqual(produced, ['1:a']);
  });

  it('a commit that never answered and did not go through is redone', async () => {
    const { transactions, producers, log } = setup(7);
    producers[0]!.answers.commit = ['never'];
    await transactionOf(transactions, ['a']);
    await transactions.commit(OFFSETS, 5000);
    assert.deepEqual(log, ['1:begin', '1:offsets', '1:commit', '2:init', 'release through in[0]', '2:begin', '2:offsets', '2:commit']);
  });

  it('records produced while a transaction is redone go outside it', async () => {
    const { transactions, producers, produced } = setup();
    producers[0]!.answers.offsets = ['never'];
    await transactionOf(transactions, ['a']);
    const committing = transactions.commit(OFFSETS, 5000);
    // Once the commit is under way (sending the offsets, stuck).
    await new Promise((resolve) => setImmediate(resolve));
    transactions.route([record('loop')], () => undefined);
    await committing;
    assert.deepEqual(produced, ['1:a', 'outside:loop', '2:a']);
  });
});

describe('KafkaTransactions: a record not delivered (no leader for message.timeout.ms) fails the commit, which is redone', () => {
  it('the commit refused for the failed delivery is aborted, the records produced again and committed', async () => {
    const { transactions, producers, log, produced, host } = setup();
    await transactionOf(transactions, ['a', 'b']);
    host.failedDelivery = timedOut;
    producers[0]!.answers.commit = [rdkafkaError(Kafka.CODES.ERRORS.ERR__MSG_TIMED_OUT, { isTxnRequiresAbort: true })];
    await transactions.commit(OFFSETS, 5000);
    assert.deepEqual(log, ['1:begin', '1:offsets', '1:commit', '1:abort', '1:begin', '1:offsets', '1:commit']);
    assert.deepEqual(produced, ['1:a', '1:b', '1:a', '1:b'], 'the whole transaction again, in order');
  });

  it('a commit that cannot be redone names the record that was not delivered', async () => {
    const { transactions, producers, host } = setup();
    await transactionOf(transactions, ['a']);
    host.failedDelivery = timedOut;
    producers[0]!.answers.commit = [rdkafkaError(Kafka.CODES.ERRORS.ERR__FENCED, { isFatal: true })];
    await assert.rejects(transactions.commit(OFFSETS, 5000), (err: CatenaeError) => err.code === ErrorCode.Broker && err.message.includes('Message timed out'));
  });
});

describe('KafkaTransactions: a transaction that must not be redone fails the commit (the link stops, exit 22)', () => {
  it('fenced by the group (ILLEGAL_GENERATION): rejected, not redone', async () => {
    const { transactions, producers, log } = setup();
    producers[0]!.answers.offsets = [rdkafkaError(Kafka.CODES.ERRORS.ERR_ILLEGAL_GENERATION, { isTxnRequiresAbort: true })];
    await transactionOf(transactions, ['a']);
    await assert.rejects(transactions.commit(OFFSETS, 5000), { code: ErrorCode.Broker });
    assert.deepEqual(log, ['1:begin', '1:offsets']);
  });

  it('no longer a member of the group (UNKNOWN_MEMBER_ID): rejected as membership lost, the consumer told to expect the revoke', async () => {
    const { transactions, producers, host } = setup();
    producers[0]!.answers.offsets = [rdkafkaError(Kafka.CODES.ERRORS.ERR_UNKNOWN_MEMBER_ID, { isTxnRequiresAbort: true })];
    await transactionOf(transactions, ['a']);
    const before = Date.now();
    await assert.rejects(transactions.commit(OFFSETS, 5000), (err: CatenaeError) => err.code === ErrorCode.Broker && err.details?.['transaction'] === TRANSACTION_MEMBERSHIP_LOST);
    assert.ok(host.revokeExpectedUntil >= before + 5000, 'polled until the revoke, within the commit timeout');
  });

  it('a failure that is not about the membership is not marked so', async () => {
    const { transactions, producers, host } = setup();
    producers[0]!.answers.offsets = [rdkafkaError(Kafka.CODES.ERRORS.ERR_TOPIC_AUTHORIZATION_FAILED, { isTxnRequiresAbort: true })];
    await transactionOf(transactions, ['a']);
    await assert.rejects(transactions.commit(OFFSETS, 5000), (err: CatenaeError) => err.code === ErrorCode.Broker && err.details?.['transaction'] === undefined);
    assert.equal(host.revokeExpectedUntil, 0);
  });

  it('its partitions handed back by a revoke meanwhile: rejected, not redone', async () => {
    const { transactions, producers, log, host } = setup();
    producers[0]!.answers.offsets = ['never'];
    await transactionOf(transactions, ['a']);
    revoke(host, [{ topic: 'in', partition: 0 }]);
    await assert.rejects(transactions.commit(OFFSETS, 5000), { code: ErrorCode.Broker, message: /did not answer "send offsets to the transaction"/ });
    assert.deepEqual(log, ['1:begin', '1:offsets']);
  });

  it('a producer fenced by a newer instance (fatal): rejected, never fenced back', async () => {
    const { transactions, producers, log } = setup();
    producers[0]!.answers.commit = [rdkafkaError(Kafka.CODES.ERRORS.ERR__FENCED, { isFatal: true })];
    await transactionOf(transactions, ['a']);
    await assert.rejects(transactions.commit(OFFSETS, 5000), { code: ErrorCode.Broker });
    assert.deepEqual(log, ['1:begin', '1:offsets', '1:commit']);
  });

  it('after three producers left stuck, the next stuck one fails the commit', async () => {
    const { transactions, producers } = setup();
    // Each time the producer of the moment gets stuck; its replacement answers.
    for (let i = 0; i < 3; i++) {
      await transactionOf(transactions, ['a']);
      producers.at(-1)!.answers.offsets = ['never'];
      await transactions.commit(OFFSETS, 5000);
    }
    assert.equal(producers.length, 4);
    await transactionOf(transactions, ['a']);
    producers.at(-1)!.answers.offsets = ['never'];
    await assert.rejects(transactions.commit(OFFSETS, 5000), { code: ErrorCode.Broker, message: /gave up on its transactions: 3 producers replaced already/ });
  });
});
