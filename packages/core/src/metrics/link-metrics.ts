import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import {
  DiagnosticsChannel,
  type ConsumedMessage,
  type ConsumerLagMessage,
  type FailedMessage,
  type HandledMessage,
  type LinkStateMessage,
  type ProducedMessage,
  type RebalanceMessage,
  type RestoreMessage,
  type RpcCallMessage,
  type TableSizesMessage,
} from '../diagnostics.js';
import { ChannelSubscriptions } from '../channel-subscriptions.js';
import { WeightedHistogram } from './weighted-histogram.js';

// From 50 µs (a synchronous transform) to 10 s (a slow external call).
const DURATION_BUCKETS_S = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The process's Prometheus metrics, fed from Catenae's diagnostics channels while attached. The
 * registry lives as long as the process (counters never go back), and holds prom-client's default
 * process metrics (RSS, heap, event-loop delay, GC) too.
 */
export class LinkMetrics {
  readonly registry = new Registry();
  readonly #electronsIn = new Counter({ name: 'catenae_electrons_in_total', help: 'Electrons fetched from an input topic', labelNames: ['link', 'topic'], registers: [this.registry] });
  readonly #electronsOut = new Counter({ name: 'catenae_electrons_out_total', help: 'Electrons produced to a topic and acknowledged by the broker (dead letters included)', labelNames: ['link', 'topic'], registers: [this.registry] });
  readonly #deliveryErrors = new Counter({ name: 'catenae_delivery_errors_total', help: 'Outputs the broker did not acknowledge', labelNames: ['link', 'topic'], registers: [this.registry] });
  readonly #handlerDuration = new WeightedHistogram({
    name: 'catenae_handler_duration_seconds',
    help: 'Time a handler took for one electron; electrons a batch handled synchronously count at their mean',
    buckets: DURATION_BUCKETS_S,
  });
  readonly #handlerErrors = new Counter({ name: 'catenae_handler_errors_total', help: 'Failed attempts: a handler threw or rejected, or the input could not be decoded', labelNames: ['link', 'topic'], registers: [this.registry] });
  readonly #deadLetters = new Counter({ name: 'catenae_dead_letters_total', help: 'Electrons sent to <topic>.dlq, by input topic', labelNames: ['link', 'topic'], registers: [this.registry] });
  readonly #rebalances = new Counter({ name: 'catenae_rebalances_total', help: 'Partition assignments received from the consumer group', labelNames: ['link'], registers: [this.registry] });
  readonly #assigned = new Gauge({ name: 'catenae_assigned_partitions', help: 'Partitions an instance owns now', labelNames: ['link', 'uid'], registers: [this.registry] });
  readonly #lag = new Gauge({ name: 'catenae_consumer_lag', help: 'High watermark minus committed offset, per partition (Kafka, from librdkafka statistics)', labelNames: ['link', 'topic', 'partition'], registers: [this.registry] });
  readonly #rpcCalls = new Counter({ name: 'catenae_rpc_calls_total', help: 'RPC calls served or made', labelNames: ['link', 'method', 'role', 'outcome'], registers: [this.registry] });
  readonly #rpcDuration = new Histogram({ name: 'catenae_rpc_duration_seconds', help: 'RPC duration: the method run (served) or the round trip (called)', labelNames: ['link', 'method', 'role'], buckets: DURATION_BUCKETS_S, registers: [this.registry] });
  readonly #restored = new Counter({ name: 'catenae_table_restored_records_total', help: 'Changelog records read to restore table shards', labelNames: ['link'], registers: [this.registry] });
  readonly #restoring = new Gauge({ name: 'catenae_table_restoring', help: '1 while an instance restores table shards (it is not ready meanwhile)', labelNames: ['link', 'uid'], registers: [this.registry] });
  readonly #tableEntries = new Gauge({ name: 'catenae_table_entries', help: 'Entries a table holds in an instance, over its shards', labelNames: ['link', 'uid', 'table'], registers: [this.registry] });
  /** Records of the restore in progress already counted, per instance. */
  readonly #restoreCounted = new Map<string, number>();
  readonly #up = new Gauge({ name: 'catenae_link_running', help: '1 while an instance runs (after setup, before a stop)', labelNames: ['link', 'uid'], registers: [this.registry] });
  /** Client id → link, from the instances' state messages (transport messages name clients). */
  readonly #linkOfClient = new Map<string, string>();
  /** Client id → the partitions whose lag it reported last. */
  readonly #lagSeries = new Map<string, Map<string, { topic: string; partition: string }>>();
  readonly #partitionsOf = new Map<string, Set<string>>();

  readonly #channels = new ChannelSubscriptions([
    [DiagnosticsChannel.consumed, (m) => this.#consumed(m as ConsumedMessage)],
    [DiagnosticsChannel.produced, (m) => this.#produced(m as ProducedMessage)],
    [DiagnosticsChannel.handled, (m) => this.#handled(m as HandledMessage)],
    [DiagnosticsChannel.failed, (m) => this.#failed(m as FailedMessage)],
    [DiagnosticsChannel.rebalance, (m) => this.#rebalance(m as RebalanceMessage)],
    [DiagnosticsChannel.state, (m) => this.#state(m as LinkStateMessage)],
    [DiagnosticsChannel.rpc, (m) => this.#rpc(m as RpcCallMessage)],
    [DiagnosticsChannel.restore, (m) => this.#restore(m as RestoreMessage)],
    [DiagnosticsChannel.tableSizes, (m) => this.#tableSizes(m as TableSizesMessage)],
    [DiagnosticsChannel.kafkaConsumerLag, (m) => this.#consumerLag(m as ConsumerLagMessage)],
  ]);

  constructor() {
    this.registry.registerMetric(this.#handlerDuration as unknown as Metric);
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
  }

  /** Starts feeding the metrics from the diagnostics channels. Idempotent. */
  attach(): void {
    this.#channels.attach();
  }

  /** Stops feeding the metrics: the runtime then publishes nothing. */
  detach(): void {
    this.#channels.detach();
  }

  #consumed({ link, records }: ConsumedMessage): void {
    countByTopic(this.#electronsIn, link, records);
  }

  #produced({ link, records, error }: ProducedMessage): void {
    countByTopic(error === null ? this.#electronsOut : this.#deliveryErrors, link, records);
  }

  #handled({ link, durationsMs, counts }: HandledMessage): void {
    this.#handlerDuration.observeMany({ link }, durationsMs, counts, 1 / 1000);
  }

  #failed({ link, topic, action }: FailedMessage): void {
    this.#handlerErrors.inc({ link, topic });
    if (action === 'dead-letter') this.#deadLetters.inc({ link, topic });
  }

  #rebalance({ link, uid, kind, partitions }: RebalanceMessage): void {
    const key = `${link}\u0000${uid}`;
    let owned = this.#partitionsOf.get(key);
    if (owned === undefined) this.#partitionsOf.set(key, (owned = new Set()));
    for (const { topic, partition } of partitions) {
      if (kind === 'assigned') owned.add(`${topic}\u0000${partition}`);
      else owned.delete(`${topic}\u0000${partition}`);
    }
    if (kind === 'assigned') this.#rebalances.inc({ link });
    this.#assigned.set({ link, uid }, owned.size);
  }

  #state({ link, uid, state, clientId }: LinkStateMessage): void {
    this.#up.set({ link, uid }, state === 'running' ? 1 : 0);
    if (state === 'running') this.#linkOfClient.set(clientId, link);
    if (state !== 'stopped') return;
    // A stopped instance's partitions are someone else's now: drop its per-partition series.
    this.#dropLag(clientId, new Set());
    this.#linkOfClient.delete(clientId);
    this.#partitionsOf.delete(`${link}\u0000${uid}`);
    this.#assigned.remove({ link, uid });
    this.#restoring.remove({ link, uid });
  }

  #restore({ link, uid, phase, records }: RestoreMessage): void {
    const key = `${link}\u0000${uid}`;
    const counted = phase === 'started' ? 0 : (this.#restoreCounted.get(key) ?? 0);
    if (records > counted) this.#restored.inc({ link }, records - counted);
    this.#restoreCounted.set(key, records);
    this.#restoring.set({ link, uid }, phase === 'done' ? 0 : 1);
    if (phase === 'done') this.#restoreCounted.delete(key);
  }

  #tableSizes({ link, uid, sizes }: TableSizesMessage): void {
    for (const [table, entries] of Object.entries(sizes)) this.#tableEntries.set({ link, uid, table }, entries);
  }

  #rpc({ link, method, role, outcome, durationMs }: RpcCallMessage): void {
    this.#rpcCalls.inc({ link, method, role, outcome });
    this.#rpcDuration.observe({ link, method, role }, durationMs / 1000);
  }

  #consumerLag({ clientId, partitions }: ConsumerLagMessage): void {
    const link = this.#linkOfClient.get(clientId);
    if (link === undefined) return;
    const reported = new Set<string>();
    const series = this.#lagSeries.get(clientId) ?? new Map<string, { topic: string; partition: string }>();
    this.#lagSeries.set(clientId, series);
    for (const { topic, partition, lag } of partitions) {
      const key = `${topic}\u0000${partition}`;
      reported.add(key);
      series.set(key, { topic, partition: String(partition) });
      this.#lag.set({ link, topic, partition: String(partition) }, lag);
    }
    this.#dropLag(clientId, reported);
  }

  /** Removes the lag series of `clientId` that are not in `keep`. */
  #dropLag(clientId: string, keep: Set<string>): void {
    const link = this.#linkOfClient.get(clientId);
    const series = this.#lagSeries.get(clientId);
    if (link === undefined || series === undefined) return;
    for (const [key, { topic, partition }] of series) {
      if (keep.has(key)) continue;
      series.delete(key);
      this.#lag.remove({ link, topic, partition });
    }
    if (series.size === 0) this.#lagSeries.delete(clientId);
  }
}

/** Adds a batch to a per-topic counter, one increment per run of records of one topic (a batch comes grouped by partition). */
function countByTopic(counter: Counter<'link' | 'topic'>, link: string, records: readonly { topic: string }[]): void {
  if (records.length === 0) return;
  let topic = records[0]!.topic;
  let n = 0;
  for (let i = 0; i < records.length; i++) {
    const next = records[i]!.topic;
    if (next !== topic) {
      counter.inc({ link, topic }, n);
      topic = next;
      n = 0;
    }
    n++;
  }
  counter.inc({ link, topic }, n);
}

let processMetrics: LinkMetrics | undefined;

/** The process's metrics, created on first use. */
export function linkMetrics(): LinkMetrics {
  return (processMetrics ??= new LinkMetrics());
}
