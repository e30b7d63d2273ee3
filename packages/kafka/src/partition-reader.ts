import type { PartitionOffset, PartitionReader, PartitionWatermarks, RawRecord, TopicPartition } from '@catenae/core';
import Kafka from 'node-rdkafka';
import type { ClientConfig } from './client-config.js';
import { connectClient, disconnectQuietly } from './connect-client.js';
import { publishClientError, publishClientLog } from './diagnostics.js';
import { brokerError, isFatal } from './kafka-errors.js';
import { untilKnown } from './until-known.js';

const BATCH = 10_000;
const POLL_WAIT_MS = 100;

/**
 * A {@link PartitionReader} on its own node-rdkafka consumer, assigned partitions by offset and
 * never joining a group or committing. The end of a partition is librdkafka's partition-EOF
 * event: the high watermark, or with `read_committed` the last stable offset, so a transaction
 * still open never makes a restore wait.
 */
export class KafkaPartitionReader implements PartitionReader {
  readonly #clientId: string;
  readonly #consumer: Kafka.KafkaConsumer;
  readonly #connectTimeoutMs: number;
  readonly #queryTimeoutMs: number;
  #connecting: Promise<void> | undefined;
  #closed = false;

  constructor(clientId: string, config: ClientConfig, timeouts: { connectTimeoutMs: number; queryTimeoutMs: number }) {
    this.#clientId = clientId;
    this.#connectTimeoutMs = timeouts.connectTimeoutMs;
    this.#queryTimeoutMs = timeouts.queryTimeoutMs;
    const global = {
      ...config.global,
      // librdkafka's C++ consumer needs a group id; this one never joins or commits.
      'group.id': `${clientId}-reader`,
      'enable.auto.commit': false,
      'enable.partition.eof': true,
      // At the end a fetch returns after this long instead of 500 ms: the EOF comes sooner.
      'fetch.wait.max.ms': 50,
    } as Kafka.ConsumerGlobalConfig;
    delete (global as Record<string, unknown>)['rebalance_cb'];
    delete (global as Record<string, unknown>)['offset_commit_cb'];
    this.#consumer = new Kafka.KafkaConsumer(global, { ...config.topic, 'auto.offset.reset': 'earliest' } as Kafka.ConsumerTopicConfig);
    this.#consumer.on('event.error', (err) => publishClientError(clientId, 'reader', err));
    this.#consumer.on('event.log', (event) => publishClientLog(clientId, 'reader', event));
  }

  /** See `PartitionReader.watermarks`; waits, within the query timeout, for partitions the cluster does not know yet. */
  async watermarks(partitions: readonly TopicPartition[]): Promise<PartitionWatermarks[]> {
    await this.#connect();
    const deadline = Date.now() + this.#queryTimeoutMs;
    const query = (topic: string, partition: number, timeoutMs: number) =>
      new Promise<PartitionWatermarks>((resolve, reject) => {
        this.#consumer.queryWatermarkOffsets(topic, partition, timeoutMs, (err, offsets) => {
          if (err) reject(err);
          else resolve({ topic, partition, low: offsets.lowOffset, high: offsets.highOffset });
        });
      });
    return Promise.all(
      partitions.map(({ topic, partition }) =>
        untilKnown((timeoutMs) => query(topic, partition, timeoutMs), deadline).catch((err: unknown) => {
          throw brokerError(`cannot read the offsets of ${topic}[${partition}]`, err);
        }),
      ),
    );
  }

  async readToEnd(starts: readonly PartitionOffset[], onBatch: (records: RawRecord[]) => Promise<void> | void): Promise<PartitionOffset[]> {
    await this.#connect();
    if (starts.length === 0) return [];
    const consumer = this.#consumer;
    const left = new Set(starts.map(idOf));
    const reached = new Map<string, PartitionOffset>();
    for (const start of starts) reached.set(idOf(start), { ...start });
    const onEof = (eof: { topic: string; partition: number; offset: number }): void => {
      const id = idOf(eof);
      if (!left.delete(id)) return;
      const at = reached.get(id)!;
      at.offset = Math.max(at.offset, eof.offset);
    };
    consumer.on('partition.eof', onEof);
    try {
      consumer.assign(starts.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
      while (left.size > 0) {
        if (this.#closed) throw brokerError('the restore was interrupted', new Error('reader closed'));
        const records = await this.#consume();
        if (records.length === 0) continue;
        for (const record of records) {
          const at = reached.get(idOf(record));
          if (at !== undefined && record.offset + 1 > at.offset) at.offset = record.offset + 1;
        }
        await onBatch(records);
      }
    } finally {
      consumer.removeListener('partition.eof', onEof);
      try {
        consumer.unassign();
      } catch {
        // Disconnected meanwhile.
      }
    }
    return starts.map((start) => reached.get(idOf(start))!);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connecting?.catch(() => undefined);
    if (this.#consumer.isConnected()) await new Promise<void>((resolve) => this.#consumer.disconnect(() => resolve()));
  }

  #connect(): Promise<void> {
    this.#connecting ??= connectClient(this.#consumer, this.#connectTimeoutMs).catch((err: unknown) => {
      disconnectQuietly(this.#consumer);
      throw brokerError(`the table reader "${this.#clientId}" cannot reach Kafka`, err);
    });
    return this.#connecting;
  }

  #consume(): Promise<RawRecord[]> {
    return new Promise((resolve, reject) => {
      this.#consumer.setDefaultConsumeTimeout(POLL_WAIT_MS);
      this.#consumer.consume(BATCH, (err, messages) => {
        if (!err) return resolve(messages as unknown as RawRecord[]);
        if (isFatal(err)) return reject(brokerError('the table reader failed', err));
        publishClientError(this.#clientId, 'reader', err);
        resolve([]);
      });
    });
  }
}

function idOf(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}
