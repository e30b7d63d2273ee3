import { CatenaeError, ErrorCode } from '../errors.js';
import type { RebalanceListener, Transport, TransportFactory, TransportOptions, TransportTransactions } from '../transport/transport.js';
import type { OutgoingRecord, PartitionOffset, RawRecord, TopicPartition, TopicSpec } from '../transport/records.js';
import type { PartitionReader } from '../transport/transport.js';
import { EmbeddedReader } from './embedded-reader.js';
import { AckQueue, type Acked } from './ack-queue.js';
import { EmbeddedBroker, type BrokerTask } from './embedded-broker.js';
import { FetchRequest, type FetchDone } from './fetch-request.js';
import type { GroupCoordinator, GroupMember } from './group-coordinator.js';
import { PartitionCursor } from './partition-cursor.js';
import type { PartitionLog } from './partition-log.js';
import { settleListener } from '../transport/settle-listener.js';

const NO_LISTENER: RebalanceListener = { onAssigned() {}, onRevoked() {} };
const RESOLVED = Promise.resolve();

/**
 * The {@link Transport} of one link instance on an {@link EmbeddedBroker}.
 *
 * Produced records are appended synchronously; `onAcked` runs on the broker's next turn, once per
 * call. `fetch` replies on a later turn too, with records of the owned, unpaused partitions from
 * each partition's position (the group's committed offset, else the earliest, or the latest with
 * `config['auto.offset.reset'] = 'latest'`), starting at a different partition each time. The
 * records are the broker's own objects: read them, never mutate them.
 *
 * Stricter than Kafka: a commit for a partition this member does not own (any more) is rejected
 * with `CATENAE_BROKER`, so a late commit cannot move another member's position. Paused state is
 * lost when partitions are revoked, as in Kafka.
 * @publicApi
 */
export class EmbeddedTransport implements Transport {
  readonly #broker: EmbeddedBroker;
  readonly #options: TransportOptions;
  #topics: readonly string[] = [];
  #listener = NO_LISTENER;
  #group: GroupCoordinator | undefined;
  #cursors: PartitionCursor[] = [];
  #rotation = 0;
  #revoking: Promise<void> | undefined;
  #pendingError: Error | undefined;
  #requests: FetchRequest[] = [];
  readonly #acks = new AckQueue();
  #taskScheduled = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  // What the group coordinator and the broker call; kept off the public surface.
  readonly #member: GroupMember & BrokerTask;

  constructor(broker: EmbeddedBroker, options: TransportOptions) {
    this.#broker = broker;
    this.#options = options;
    const self = this;
    this.#member = {
      get topics() {
        return self.#topics;
      },
      copartitioned: options.copartitioned === true,
      revokeAll: () => this.#revokeAll(),
      assign: (logs) => this.#assign(logs),
      hasUnread: () => this.#cursors.some((c) => c.position < c.log.endOffset),
      runTask: () => this.#runTask(),
    };
    this.transactions = options.transactional ? this.#transactions() : undefined;
  }

  #transactions(): TransportTransactions {
    return {
      init: () => RESOLVED,
      begin: () => {
        this.#transactionRecords = [];
      },
      commit: async (offsets) => {
        const records = this.#transactionRecords ?? [];
        this.#transactionRecords = undefined;
        await this.commit(offsets);
        this.#broker.append(records);
      },
      abort: async () => {
        this.#transactionRecords = undefined;
      },
    };
  }

  /** The partitions this member owns now, in assignment order. */
  assignment(): TopicPartition[] {
    return this.#cursors.map(({ log }) => ({ topic: log.topic, partition: log.partition }));
  }

  connect(): Promise<void> {
    return this.#closed ? Promise.reject(this.#closedError('connect')) : RESOLVED;
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    if (this.#closed) throw this.#closedError('ensureTopics');
    for (const spec of topics) this.#broker.createTopic(spec.topic, spec.partitions ?? this.#broker.defaultPartitions, spec.config);
  }

  async partitionCount(topic: string): Promise<number | undefined> {
    if (this.#closed) throw this.#closedError('partitionCount');
    return this.#broker.partitionCount(topic);
  }

  createReader(): PartitionReader {
    return new EmbeddedReader(this.#broker);
  }

  subscribe(topics: readonly string[], listener: RebalanceListener): void {
    if (this.#closed) throw this.#closedError('subscribe');
    const groupId = this.#options.groupId;
    if (groupId === undefined) {
      throw new CatenaeError(ErrorCode.Broker, `client "${this.#options.clientId}" subscribed without a groupId`);
    }
    const changed = topics.length !== this.#topics.length || topics.some((t) => !this.#topics.includes(t));
    this.#topics = [...topics];
    this.#listener = listener;
    if (this.#group === undefined) {
      this.#group = this.#broker.group(groupId);
      this.#group.join(this.#member);
    } else if (changed) {
      this.#group.requestRebalance();
    }
  }

  fetch(max: number, waitMs: number, done: FetchDone): void {
    this.#requests.push(new FetchRequest(max, waitMs, done, this.#closed));
    this.#schedule();
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const cursor = this.#cursorOf(tp.topic, tp.partition);
      if (cursor !== undefined) cursor.paused = true;
    }
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const cursor = this.#cursorOf(tp.topic, tp.partition);
      if (cursor !== undefined) cursor.paused = false;
    }
    this.#wake();
  }

  async skipTo(offsets: readonly PartitionOffset[]): Promise<void> {
    for (const { topic, partition, offset } of offsets) {
      const cursor = this.#cursorOf(topic, partition);
      if (cursor !== undefined && cursor.position < offset) cursor.position = Math.min(offset, cursor.log.endOffset);
    }
  }

  /** Transactions: records produced inside one are held back and appended by its commit, atomically. */
  readonly transactions: TransportTransactions | undefined;
  #transactionRecords: OutgoingRecord[] | undefined;

  produce(records: OutgoingRecord[], onAcked: Acked): void {
    let error: Error | null = null;
    if (this.#closed) error = this.#closedError('produce');
    else if (this.#transactionRecords !== undefined) {
      for (let i = 0; i < records.length; i++) this.#transactionRecords.push(records[i]!);
    } else {
      try {
        this.#broker.append(records);
      } catch (err) {
        error = err as Error;
      }
    }
    this.#acks.push(onAcked, error);
    this.#schedule();
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    // Commits stay possible while a close revokes the partitions: onRevoked commits.
    if (this.#closed && this.#cursors.length === 0) throw this.#closedError('commit');
    const group = this.#group;
    for (const { topic, partition, offset } of offsets) {
      if (group === undefined || this.#cursorOf(topic, partition) === undefined) {
        throw new CatenaeError(
          ErrorCode.Broker,
          `client "${this.#options.clientId}" committed ${topic}[${partition}] which it does not own (the group rebalanced)`,
        );
      }
      if (!Number.isInteger(offset) || offset < 0) {
        throw new CatenaeError(ErrorCode.Broker, `commit offset ${offset} of ${topic}[${partition}] is not a non-negative integer`);
      }
    }
    for (const { topic, partition, offset } of offsets) group!.commit(topic, partition, offset);
  }

  flush(_timeoutMs: number): Promise<void> {
    // Acknowledgements always come on the broker's next turn: no timeout can pass first.
    return this.#acks.drained();
  }

  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.#closed = true;
      this.#closing = this.#shutdown();
    }
    return this.#closing;
  }

  #revokeAll(): Promise<void> {
    if (this.#revoking !== undefined) return this.#revoking;
    const cursors = this.#cursors;
    if (cursors.length === 0) return RESOLVED;
    for (const cursor of cursors) {
      cursor.stopped = true;
      const readers = cursor.log.readers;
      readers.splice(readers.indexOf(cursor), 1);
    }
    const partitions = this.assignment();
    const what = `onRevoked of client "${this.#options.clientId}"`;
    this.#revoking = settleListener(() => this.#listener.onRevoked(partitions), this.#broker.rebalanceTimeoutMs, what)
      .then((error) => {
        if (error !== null) this.#fail(error);
        if (this.#cursors === cursors) this.#cursors = [];
        this.#revoking = undefined;
      });
    return this.#revoking;
  }

  #assign(logs: readonly PartitionLog[]): void {
    // A member that is leaving gets nothing; the group rebalances again once it left.
    if (this.#closed) return;
    const group = this.#group!;
    const latest = /^(latest|largest|end)$/.test(this.#options.config?.['auto.offset.reset'] ?? '');
    this.#cursors = logs.map((log) => {
      const committed = group.committed(log.topic, log.partition);
      const inRange = committed !== undefined && committed >= log.startOffset && committed <= log.endOffset;
      const position = inRange ? committed : latest ? log.endOffset : log.startOffset;
      const cursor = new PartitionCursor(log, position, this.#wake);
      log.readers.push(cursor);
      return cursor;
    });
    try {
      const result: unknown = this.#listener.onAssigned(this.assignment());
      if (result instanceof Promise) result.catch((err: unknown) => this.#fail(asError(err)));
    } catch (err) {
      this.#fail(asError(err));
    }
    this.#wake();
  }

  #runTask(): void {
    this.#taskScheduled = false;
    // A throwing callback must not keep the others from running; the first is rethrown.
    let failure = this.#acks.size > 0 ? this.#acks.deliver() : undefined;
    try {
      this.#serve();
    } catch (error) {
      failure ??= { error };
    }
    if (failure !== undefined) throw failure.error;
  }

  // Serves only the requests present now: one made by a `done` waits for the next turn, so a
  // consumer that always refetches cannot starve timers and I/O.
  #serve(): void {
    const requests = this.#requests;
    for (let n = requests.length; n > 0 && requests.length > 0; n--) {
      const request = requests[0]!;
      let records: RawRecord[] | null = null;
      let error: Error | null = null;
      if (request.afterClose) {
        error = this.#closedError('fetch');
      } else if (this.#pendingError !== undefined) {
        error = this.#pendingError;
        this.#pendingError = undefined;
      } else if (!this.#closed) {
        records = this.#fill(request.max);
        if (records === null && request.waitMs > 0) {
          request.timer ??= setTimeout(EmbeddedTransport.#expire, request.waitMs, this, request);
          return;
        }
      }
      requests.shift();
      if (request.timer !== undefined) clearTimeout(request.timer);
      request.done(error, records ?? []);
    }
  }

  // A static function, not a closure per wait: completes a fetch whose time ran out.
  static #expire(transport: EmbeddedTransport, request: FetchRequest): void {
    const requests = transport.#requests;
    const index = requests.indexOf(request);
    if (index < 0) return;
    requests.splice(index, 1);
    if (requests.length > 0) transport.#schedule();
    request.done(null, []);
  }

  #fill(max: number): RawRecord[] | null {
    const cursors = this.#cursors;
    const n = cursors.length;
    if (n === 0 || max <= 0) return null;
    let out: RawRecord[] | null = null;
    const start = this.#rotation++ % n;
    for (let i = 0; i < n; i++) {
      const cursor = cursors[(start + i) % n]!;
      if (cursor.paused || cursor.stopped) continue;
      const log = cursor.log;
      // Below the log start (dropped by retention): Kafka's out-of-range reset, to the earliest.
      if (cursor.position < log.startOffset) cursor.position = log.startOffset;
      if (cursor.position >= log.endOffset) continue;
      out ??= [];
      cursor.position = log.read(cursor.position, max - out.length, out);
      if (out.length >= max) break;
    }
    return out;
  }

  readonly #wake = (): void => {
    if (this.#requests.length > 0) this.#schedule();
  };

  #schedule(): void {
    if (this.#taskScheduled) return;
    this.#taskScheduled = true;
    this.#broker.schedule(this.#member);
  }

  #fail(error: Error): void {
    this.#pendingError ??= error;
    this.#wake();
  }

  #cursorOf(topic: string, partition: number): PartitionCursor | undefined {
    for (const cursor of this.#cursors) {
      if (cursor.log.partition === partition && cursor.log.topic === topic) return cursor;
    }
    return undefined;
  }

  #closedError(operation: string): CatenaeError {
    return new CatenaeError(ErrorCode.Closed, `${operation} on client "${this.#options.clientId}" after close`);
  }

  async #shutdown(): Promise<void> {
    // Fetches waiting now get [] (not an error): the consumer loop ends normally.
    if (this.#requests.length > 0) this.#schedule();
    if (this.#group !== undefined) await this.#group.leave(this.#member);
    await this.flush(0);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Creates {@link EmbeddedTransport}s on one {@link EmbeddedBroker} (a new one when none is given).
 * @publicApi
 */
export class EmbeddedTransportFactory implements TransportFactory {
  readonly kind = 'embedded';
  readonly broker: EmbeddedBroker;

  constructor(broker: EmbeddedBroker = new EmbeddedBroker()) {
    this.broker = broker;
  }

  create(options: TransportOptions): EmbeddedTransport {
    return new EmbeddedTransport(this.broker, options);
  }
}
