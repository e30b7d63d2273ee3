import {
  CatenaeError,
  ErrorCode,
  type OutgoingRecord,
  type PartitionOffset,
  type PartitionReader,
  type RawRecord,
  type RebalanceListener,
  type TopicPartition,
  type TopicSpec,
  type Transport,
  type TransportOptions,
  type TransportTransactions,
} from '@catenae/core';
import Kafka from 'node-rdkafka';
import { BatchConsumer } from './batch-consumer.js';
import { FlushProducer } from './flush-producer.js';
import { HandoverProducer } from './handover-producer.js';
import { adminConfig, consumerConfig, type ClientConfigInput } from './client-config.js';
import { connectClient, disconnectQuietly } from './connect-client.js';
import { publishClientError, publishClientLog } from './diagnostics.js';
import { closedError, reasonOf } from './kafka-errors.js';
import { KafkaTransactions } from './kafka-transactions.js';
import { ensureKafkaTopics, partitionCountOf } from './topic-creator.js';
import { KafkaPartitionReader } from './partition-reader.js';
import { closeProducer, connectNewProducer, createProducer } from './producer-clients.js';
import { StuckProducers } from './stuck-producers.js';
import { revokeTimeoutOf, type KafkaTimeouts } from './kafka-timeouts.js';

export type { KafkaTimeouts } from './kafka-timeouts.js';

/**
 * The {@link Transport} of one link instance on Kafka, through node-rdkafka (librdkafka): a
 * producer, and a consumer when the options name a group. Created by `createKafkaTransport`.
 *
 * Header values travel as UTF-8 text: node-rdkafka converts a Buffer header value to a string
 * before handing it to librdkafka, so binary header values do not survive.
 * @publicApi
 */
export class KafkaTransport implements Transport {
  readonly #options: TransportOptions;
  readonly #input: ClientConfigInput;
  readonly #timeouts: KafkaTimeouts;
  readonly #replicationFactor: number | undefined;
  #producer: Kafka.Producer | undefined;
  #batches: HandoverProducer | FlushProducer | undefined;
  /** Transactional transports: the idempotent producer of records sent while no transaction is open. */
  #outside: { producer: Kafka.Producer; batches: FlushProducer } | undefined;
  #consumer: BatchConsumer | undefined;
  #admin: Kafka.IAdminClient | undefined;
  #connecting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  readonly #transactions: KafkaTransactions | undefined;
  /** Transactional producers left behind stuck in a call (see KafkaTransactions). */
  readonly #stuck = new StuckProducers();
  /** Partition counts of the topics `ensureTopics` created. */
  readonly #created = new Map<string, number>();

  constructor(brokers: string, config: Readonly<Record<string, string>>, options: TransportOptions, timeouts: KafkaTimeouts, replicationFactor?: number) {
    this.#options = options;
    this.#timeouts = timeouts;
    this.#replicationFactor = replicationFactor;
    this.#input = {
      brokers,
      clientId: options.clientId,
      groupId: options.groupId,
      idempotent: options.idempotent,
      // Without a group there are no offsets to commit with the outputs: idempotent is enough.
      transactional: options.transactional === true && options.groupId !== undefined,
      lowLatency: options.lowLatency,
      copartitioned: options.copartitioned,
      config: { ...config, ...options.config },
    };
    if (options.transactional === true) {
      this.#transactions = new KafkaTransactions({
        clientId: options.clientId,
        isTransactional: this.#input.transactional === true,
        producer: () => this.#producer ?? this.#throwNotConnected('use transactions'),
        consumer: () => this.#consumer?.consumer,
        revokes: () => this.#consumer?.revokes ?? 0,
        revokedSince: (mark, partitions) => this.#consumer?.revokedSince(mark, partitions) ?? false,
        expectRevoke: (deadline) => this.#consumer?.expectRevoke(deadline),
        produceInside: (records, onAcked) => this.#batches!.produce(records, onAcked),
        produceOutside: (records, onAcked) => (this.#outside?.batches ?? this.#batches!).produce(records, onAcked),
        takeDeliveryFailure: () => (this.#batches instanceof HandoverProducer ? this.#batches.takeFailure() : undefined),
        replaceProducer: (timeoutMs) => this.#replaceProducer(timeoutMs),
        releaseStuckProducers: (partition) => this.#stuck.release(partition),
        stuckCallEnded: (producer) => this.#stuck.callEnded(producer),
      });
    }
  }

  /**
   * See `Transport.transactions`: present when created with `transactional`. A record produced
   * while no transaction is open then goes through a second, idempotent producer, in no transaction.
   */
  get transactions(): TransportTransactions | undefined {
    return this.#transactions;
  }

  /** See `Transport.connect`: connects the producer and, with a group, the consumer. */
  connect(): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(closedError('connect', this.#options.clientId));
    this.#connecting ??= this.#connect().catch((err: unknown) => {
      this.#connecting = undefined;
      throw err;
    });
    return this.#connecting;
  }

  /**
   * See `Transport.ensureTopics`: creates the missing topics through the admin client (broker
   * default partitions when a spec has none; the transport's replication factor, else the
   * broker's default) and waits until every partition has a leader.
   * Connects first if needed.
   */
  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    await this.connect();
    if (this.#admin === undefined) {
      try {
        this.#admin = Kafka.AdminClient.create(adminConfig(this.#input) as Kafka.GlobalConfig);
      } catch (err) {
        throw new CatenaeError(ErrorCode.BadFlag, `Kafka admin client settings rejected: ${reasonOf(err)}`, { cause: err });
      }
    }
    const created = await ensureKafkaTopics(this.#admin, this.#producer!, topics, this.#timeouts.topicTimeoutMs, this.#replicationFactor);
    for (const [topic, partitions] of created) this.#created.set(topic, partitions);
  }

  /**
   * See `Transport.partitionCount`: from a metadata request for every topic (one for a missing
   * topic would create it). A topic this transport created is never reported missing: on a
   * cluster, a broker whose metadata has not caught up with the creation yet may answer.
   */
  async partitionCount(topic: string): Promise<number | undefined> {
    await this.connect();
    return (await partitionCountOf(this.#producer!, topic, this.#timeouts.topicTimeoutMs)) ?? this.#created.get(topic);
  }

  /** See `Transport.createReader`: a consumer of its own, assigned by offset, reading committed records. */
  createReader(): PartitionReader {
    const config = consumerConfig({ ...this.#input, transactional: false });
    return new KafkaPartitionReader(`${this.#options.clientId}-reader`, config, {
      connectTimeoutMs: this.#timeouts.connectTimeoutMs,
      queryTimeoutMs: this.#timeouts.topicTimeoutMs,
    });
  }

  /** See `Transport.subscribe`; throws `CATENAE_BROKER` without a group or before `connect()`. */
  subscribe(topics: readonly string[], listener: RebalanceListener): void {
    this.#consumerFor('subscribe').subscribe(topics, listener);
  }

  /** See `Transport.fetch`: `done` always runs on a later turn. */
  fetch(max: number, waitMs: number, done: (err: Error | null, records: RawRecord[]) => void): void {
    const consumer = this.#consumer;
    if (consumer !== undefined) return consumer.fetch(max, waitMs, done);
    process.nextTick(done, this.#noConsumer('fetch'), []);
  }

  /** See `Transport.pause`: partitions this member does not own are ignored. */
  pause(partitions: readonly TopicPartition[]): void {
    this.#consumer?.pause(partitions);
  }

  /** See `Transport.resume`. */
  resume(partitions: readonly TopicPartition[]): void {
    this.#consumer?.resume(partitions);
  }

  /** See `Transport.skipTo`: seeks where the group's committed offset is below the given one. */
  async skipTo(offsets: readonly PartitionOffset[]): Promise<void> {
    await this.#consumer?.skipTo(offsets, this.#timeouts.commitTimeoutMs);
  }

  /**
   * See `Transport.produce`: `onAcked` runs once, on a later turn, after the delivery reports of
   * every record, or with the first failure (`CATENAE_DELIVERY`).
   */
  produce(records: OutgoingRecord[], onAcked: (err: Error | null) => void): void {
    const batches = this.#batches;
    if (batches !== undefined && this.#closing === undefined) {
      const transactions = this.#transactions;
      if (transactions === undefined) return batches.produce(records, onAcked);
      return transactions.route(records, onAcked);
    }
    const error =
      this.#closing !== undefined
        ? closedError('produce', this.#options.clientId)
        : new CatenaeError(ErrorCode.Broker, `produce on Kafka client "${this.#options.clientId}" before connect()`);
    queueMicrotask(() => onAcked(error));
  }

  /** See `Transport.commit`: settles on the broker's answer; `CATENAE_BROKER` when refused. */
  commit(offsets: readonly PartitionOffset[]): Promise<void> {
    try {
      return this.#consumerFor('commit').commit(offsets);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /** See `Transport.flush`: rejects with `CATENAE_DELIVERY` when records are still unacknowledged at the timeout. */
  async flush(timeoutMs: number): Promise<void> {
    const batches = this.#batches;
    if (batches === undefined) return;
    const deadline = Date.now() + timeoutMs;
    const outside = this.#outside?.batches;
    const idle = await Promise.all([batches.whenIdle(deadline), outside?.whenIdle(deadline) ?? true]);
    if (!idle[0] || !idle[1]) {
      const n = batches.inFlight + (outside?.inFlight ?? 0);
      throw new CatenaeError(ErrorCode.Delivery, `${n} record(s) not acknowledged by Kafka within ${timeoutMs} ms`);
    }
  }

  /** See `Transport.close`: leaves the group (onRevoked may still commit), then flushes and closes. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #connect(): Promise<void> {
    const { connectTimeoutMs } = this.#timeouts;
    let producer: Kafka.Producer;
    let outside: Kafka.Producer | undefined;
    let consumer: BatchConsumer | undefined;
    try {
      producer = createProducer(this.#input);
      if (this.#input.transactional === true) outside = createProducer({ ...this.#input, transactional: false, idempotent: true });
      if (this.#input.groupId !== undefined) {
        const revokeTimeoutMs = revokeTimeoutOf(this.#timeouts, this.#input.transactional === true);
        consumer = new BatchConsumer({ ...this.#timeouts, revokeTimeoutMs, clientId: this.#input.clientId, config: consumerConfig(this.#input) });
      }
    } catch (err) {
      throw new CatenaeError(ErrorCode.BadFlag, `Kafka client settings rejected: ${reasonOf(err)}`, { cause: err });
    }
    for (const client of outside === undefined ? [producer] : [producer, outside]) this.#watch(client);
    const results = await Promise.allSettled([
      connectClient(producer, connectTimeoutMs),
      outside === undefined ? undefined : connectClient(outside, connectTimeoutMs),
      consumer === undefined ? undefined : connectClient(consumer.consumer, connectTimeoutMs),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined || this.#closing !== undefined) {
      disconnectQuietly(producer);
      if (outside !== undefined) disconnectQuietly(outside);
      if (consumer !== undefined) disconnectQuietly(consumer.consumer);
      if (failed === undefined) throw closedError('connect', this.#input.clientId);
      const seconds = connectTimeoutMs / 1000;
      throw new CatenaeError(
        ErrorCode.Broker,
        `cannot reach Kafka at ${this.#input.brokers} within ${seconds} s: ${reasonOf(failed.reason)}`,
        { cause: failed.reason },
      );
    }
    this.#producer = producer;
    // A transaction's records are acknowledged once librdkafka holds them: its commit flushes them
    // (see HandoverProducer). Elsewhere rounds of flushes acknowledge batches (see FlushProducer).
    this.#batches = this.#input.transactional === true ? new HandoverProducer(producer, this.#pollIntervalMs) : new FlushProducer(producer);
    if (outside !== undefined) this.#outside = { producer: outside, batches: new FlushProducer(outside) };
    this.#consumer = consumer;
  }

  get #pollIntervalMs(): number {
    return this.#input.lowLatency === true ? 1 : 5;
  }

  #watch(client: Kafka.Producer): void {
    client.on('event.error', (err) => publishClientError(this.#input.clientId, 'producer', err));
    client.on('event.log', (event) => publishClientLog(this.#input.clientId, 'producer', event));
  }

  // The transactional producer stopped answering: a new one with the same transactional.id takes
  // its place (see KafkaTransactions). The old one is left behind, not disconnected: a call of
  // librdkafka's still waits inside it on a thread of the pool, and destroying the client under
  // that call is not safe (see StuckProducers).
  async #replaceProducer(timeoutMs: number): Promise<void> {
    if (this.#closing !== undefined) throw closedError('replace the producer', this.#input.clientId);
    const old = this.#producer!;
    // The transaction's own deadline, not the connect timeout: a broker was just lost.
    const producer = await connectNewProducer(this.#input, timeoutMs, (client) => this.#watch(client));
    this.#producer = producer;
    this.#batches = new HandoverProducer(producer, this.#pollIntervalMs);
    this.#stuck.add(old);
  }

  async #close(): Promise<void> {
    // A connect in progress finishes first, so its clients are closed too.
    await this.#connecting?.catch(() => undefined);
    const { closeTimeoutMs } = this.#timeouts;
    const clientId = this.#input.clientId;
    if (this.#consumer !== undefined) await this.#consumer.close(closeTimeoutMs);
    const producers: { producer: Kafka.Producer; batches: HandoverProducer | FlushProducer }[] = this.#outside === undefined ? [] : [this.#outside];
    if (this.#producer !== undefined && this.#batches !== undefined) producers.push({ producer: this.#producer, batches: this.#batches });
    await Promise.all(producers.map(({ producer, batches }) => closeProducer(producer, batches, closeTimeoutMs, closedError('delivery', clientId))));
    try {
      this.#admin?.disconnect();
    } catch {
      // Already gone.
    }
  }

  // The consumer itself refuses what comes after its close; commits made by onRevoked while
  // close() leaves the group still go through.
  #consumerFor(operation: string): BatchConsumer {
    if (this.#consumer !== undefined) return this.#consumer;
    throw this.#noConsumer(operation);
  }

  #throwNotConnected(operation: string): never {
    throw new CatenaeError(ErrorCode.Broker, `Kafka client "${this.#options.clientId}" cannot ${operation} before connect()`);
  }

  #noConsumer(operation: string): CatenaeError {
    const clientId = this.#options.clientId;
    if (this.#closing !== undefined) return closedError(operation, clientId);
    if (this.#options.groupId === undefined) {
      return new CatenaeError(ErrorCode.Broker, `Kafka client "${clientId}" cannot ${operation}: it has no consumer group`);
    }
    return new CatenaeError(ErrorCode.Broker, `Kafka client "${clientId}" cannot ${operation} before connect()`);
  }
}
