import {
  DiagnosticsChannel,
  type ConsumedMessage,
  type ConsumerLagMessage,
  type FailedMessage,
  type ProducedMessage,
  type RebalanceMessage,
  type RestoreMessage,
  type RpcCallMessage,
  type TableSizesMessage,
} from '../diagnostics.js';
import { ChannelSubscriptions } from '../channel-subscriptions.js';
import { errorMessage } from '../runtime/failure-policy.js';
import type { AnnouncedError, TopicFigures } from './announcement.js';

const RECENT_ERRORS = 10;
const ERROR_MESSAGE_CHARS = 300;

/** What the counters hold at one moment: the announcement's live part. */
export interface CountersSnapshot {
  in: TopicFigures[];
  out: TopicFigures[];
  errors: number;
  deadLetters: number;
  deliveryErrors: number;
  recentErrors: AnnouncedError[];
  partitions: { topic: string; partition: number }[];
  lag: { topic: string; partition: number; lag: number }[];
  tables: Record<string, number> | undefined;
  isRestoring: boolean;
  rpcServed: Record<string, number>;
}

/** A count per topic, and the total at the previous snapshot (for the rate). */
interface TopicCount {
  total: number;
  atLastSnapshot: number;
}

/**
 * The figures one link instance announces, fed from the diagnostics channels while attached:
 * electrons in and out per topic, failures, owned partitions, lag, table sizes, RPC calls served.
 * Every message is a batch or a rare event: a batch adds one count per run of one topic, never
 * work per electron. Channel messages about data name the link, not the instance, so instances of
 * one link in one process count the same electrons.
 */
export class InstanceCounters {
  readonly #link: string;
  readonly #uid: string;
  readonly #clientId: string;
  readonly #in = new Map<string, TopicCount>();
  readonly #out = new Map<string, TopicCount>();
  #errors = 0;
  #deadLetters = 0;
  #deliveryErrors = 0;
  readonly #recentErrors: AnnouncedError[] = [];
  readonly #partitions = new Map<string, { topic: string; partition: number }>();
  #lag: { topic: string; partition: number; lag: number }[] = [];
  #tables: Record<string, number> | undefined;
  #isRestoring = false;
  readonly #rpcServed: Record<string, number> = {};
  #lastSnapshotAt: number;
  readonly #onlyInput: () => string | undefined;

  /**
   * `onlyInput` names the one topic every fetched record comes from, when the link reads a single
   * topic: its batches are then counted without looking at their records.
   */
  readonly #channels = new ChannelSubscriptions([
    [DiagnosticsChannel.consumed, (m) => this.#consumed(m as ConsumedMessage)],
    [DiagnosticsChannel.produced, (m) => this.#produced(m as ProducedMessage)],
    [DiagnosticsChannel.failed, (m) => this.#failed(m as FailedMessage)],
    [DiagnosticsChannel.rebalance, (m) => this.#rebalance(m as RebalanceMessage)],
    [DiagnosticsChannel.rpc, (m) => this.#rpc(m as RpcCallMessage)],
    [DiagnosticsChannel.restore, (m) => this.#restore(m as RestoreMessage)],
    [DiagnosticsChannel.tableSizes, (m) => this.#tableSizes(m as TableSizesMessage)],
    [DiagnosticsChannel.kafkaConsumerLag, (m) => this.#consumerLag(m as ConsumerLagMessage)],
  ]);

  constructor(link: string, uid: string, clientId: string, onlyInput: () => string | undefined = () => undefined, now = Date.now()) {
    this.#onlyInput = onlyInput;
    this.#link = link;
    this.#uid = uid;
    this.#clientId = clientId;
    this.#lastSnapshotAt = now;
  }

  /**
   * Starts counting. Attach before the instance's transport connects: a Kafka consumer asks for the
   * statistics its lag comes from only when someone listens as it connects. Idempotent.
   */
  attach(): void {
    this.#channels.attach();
  }

  /** Stops counting; with no other subscriber the runtime then publishes nothing. */
  detach(): void {
    this.#channels.detach();
  }

  /** The figures now; rates are over the time since the previous snapshot. */
  snapshot(now = Date.now()): CountersSnapshot {
    const seconds = Math.max(now - this.#lastSnapshotAt, 1) / 1000;
    this.#lastSnapshotAt = now;
    return {
      in: figures(this.#in, seconds),
      out: figures(this.#out, seconds),
      errors: this.#errors,
      deadLetters: this.#deadLetters,
      deliveryErrors: this.#deliveryErrors,
      recentErrors: [...this.#recentErrors],
      partitions: [...this.#partitions.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
      // librdkafka may still report partitions a rebalance just took away: those are another's.
      lag: this.#lag.filter((l) => this.#partitions.has(`${l.topic}\u0000${l.partition}`)),
      tables: this.#tables,
      isRestoring: this.#isRestoring,
      rpcServed: { ...this.#rpcServed },
    };
  }

  /** The topics the instance produced to so far. */
  get outputTopics(): string[] {
    return [...this.#out.keys()];
  }

  #consumed({ link, records }: ConsumedMessage): void {
    if (link !== this.#link) return;
    const only = this.#onlyInput();
    if (only !== undefined) add(this.#in, only, records.length);
    else countRuns(this.#in, records);
  }

  #produced({ link, records, error }: ProducedMessage): void {
    if (link !== this.#link) return;
    if (error === null) countRuns(this.#out, records);
    else this.#deliveryErrors += records.length;
  }

  #failed({ link, topic, action, error }: FailedMessage): void {
    if (link !== this.#link) return;
    this.#errors++;
    if (action === 'dead-letter') this.#deadLetters++;
    this.#recentErrors.push({ at: Date.now(), topic, action, message: errorMessage(error).slice(0, ERROR_MESSAGE_CHARS) });
    if (this.#recentErrors.length > RECENT_ERRORS) this.#recentErrors.shift();
  }

  #rebalance({ link, uid, kind, partitions }: RebalanceMessage): void {
    if (link !== this.#link || uid !== this.#uid) return;
    for (const { topic, partition } of partitions) {
      const key = `${topic}\u0000${partition}`;
      if (kind === 'assigned') this.#partitions.set(key, { topic, partition });
      else this.#partitions.delete(key);
    }
  }

  #rpc({ link, method, role }: RpcCallMessage): void {
    if (link === this.#link && role === 'served') this.#rpcServed[method] = (this.#rpcServed[method] ?? 0) + 1;
  }

  #restore({ link, uid, phase }: RestoreMessage): void {
    if (link === this.#link && uid === this.#uid) this.#isRestoring = phase !== 'done';
  }

  #tableSizes({ link, uid, sizes }: TableSizesMessage): void {
    if (link === this.#link && uid === this.#uid) this.#tables = { ...sizes };
  }

  #consumerLag({ clientId, partitions }: ConsumerLagMessage): void {
    if (clientId === this.#clientId) this.#lag = partitions.map(({ topic, partition, lag }) => ({ topic, partition, lag }));
  }
}

// A batch comes grouped by partition: one map update per run of records of one topic, and one
// string comparison (of interned topic names) per record to find the runs.
function countRuns(counts: Map<string, TopicCount>, records: readonly { topic: string }[]): void {
  const n = records.length;
  if (n === 0) return;
  let topic = records[0]!.topic;
  let start = 0;
  for (let i = 1; i < n; i++) {
    const next = records[i]!.topic;
    if (next === topic) continue;
    add(counts, topic, i - start);
    topic = next;
    start = i;
  }
  add(counts, topic, n - start);
}

function add(counts: Map<string, TopicCount>, topic: string, n: number): void {
  const count = counts.get(topic);
  if (count === undefined) counts.set(topic, { total: n, atLastSnapshot: 0 });
  else count.total += n;
}

function figures(counts: Map<string, TopicCount>, seconds: number): TopicFigures[] {
  const result: TopicFigures[] = [];
  for (const [topic, count] of counts) {
    result.push({ topic, total: count.total, perSecond: Math.round(((count.total - count.atLastSnapshot) / seconds) * 10) / 10 });
    count.atLastSnapshot = count.total;
  }
  return result.sort((a, b) => a.topic.localeCompare(b.topic));
}
