import { CatenaeError, ErrorCode, type TopicSpec } from '@catenae/core';
import Kafka from 'node-rdkafka';
import { adminConfig, producerConfig, type ClientConfigInput } from './client-config.js';
import { connectClient, disconnectQuietly } from './connect-client.js';
import { reasonOf } from './kafka-errors.js';
import { ensureKafkaTopics } from './topic-creator.js';

/** A topic and its partition count. */
export interface TopicInfo {
  topic: string;
  partitions: number;
}

/** Where a {@link KafkaTopicAdmin} connects. */
export interface TopicAdminOptions {
  /** Bootstrap servers, `host:port[,host:port]`. */
  brokers: string;
  /** librdkafka settings (SASL, TLS, ...). */
  config?: Readonly<Record<string, string>>;
  /** Connecting, listing and creating each give up after this long (default 10000 ms). */
  timeoutMs?: number;
}

/**
 * Lists and creates topics, for `catenae topics`: a metadata client and an admin client of their
 * own. Close it after use.
 * @publicApi
 */
export class KafkaTopicAdmin {
  readonly #metadata: Kafka.Producer;
  readonly #admin: Kafka.IAdminClient;
  readonly #timeoutMs: number;

  private constructor(metadata: Kafka.Producer, admin: Kafka.IAdminClient, timeoutMs: number) {
    this.#metadata = metadata;
    this.#admin = admin;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Connects. @throws CatenaeError `CATENAE_BROKER` when Kafka cannot be reached in time;
   * `CATENAE_BAD_FLAG` for settings librdkafka refuses.
   */
  static async open(options: TopicAdminOptions): Promise<KafkaTopicAdmin> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const input: ClientConfigInput = { brokers: options.brokers, clientId: 'catenae-topics', config: options.config ?? {} };
    let metadata: Kafka.Producer;
    let admin: Kafka.IAdminClient;
    try {
      const config = producerConfig(input);
      metadata = new Kafka.Producer(config.global as Kafka.ProducerGlobalConfig, config.topic as Kafka.ProducerTopicConfig);
      admin = Kafka.AdminClient.create(adminConfig(input) as Kafka.GlobalConfig);
    } catch (err) {
      throw new CatenaeError(ErrorCode.BadFlag, `Kafka client settings rejected: ${reasonOf(err)}`, { cause: err });
    }
    try {
      await connectClient(metadata, timeoutMs);
    } catch (err) {
      admin.disconnect();
      throw new CatenaeError(ErrorCode.Broker, `cannot reach Kafka at ${options.brokers} within ${timeoutMs / 1000} s: ${reasonOf(err)}`, { cause: err });
    }
    return new KafkaTopicAdmin(metadata, admin, timeoutMs);
  }

  /** Every topic with its partition count, by name; Kafka's internal topics (`__*`) left out. */
  async list(): Promise<TopicInfo[]> {
    const md = await new Promise<Kafka.Metadata>((resolve, reject) =>
      this.#metadata.getMetadata({ allTopics: true, timeout: this.#timeoutMs }, (err, data) =>
        err ? reject(new CatenaeError(ErrorCode.Broker, `cannot list the topics: ${reasonOf(err)}`, { cause: err })) : resolve(data),
      ),
    );
    return md.topics
      .filter((t) => !t.name.startsWith('__') && t.partitions.length > 0)
      .map((t) => ({ topic: t.name, partitions: t.partitions.length }))
      .sort((a, b) => a.topic.localeCompare(b.topic));
  }

  /**
   * Creates the topics that do not exist (partitions from each spec, else the broker's default)
   * and waits until their partitions have leaders. Topics that exist are left as they are.
   * @throws CatenaeError `CATENAE_BROKER` naming a topic the broker refused.
   */
  async create(specs: readonly TopicSpec[]): Promise<{ created: TopicInfo[]; existing: TopicInfo[] }> {
    const before = new Map((await this.list()).map((t) => [t.topic, t]));
    await ensureKafkaTopics(this.#admin, this.#metadata, specs, this.#timeoutMs * 3);
    const after = new Map((await this.list()).map((t) => [t.topic, t]));
    const created: TopicInfo[] = [];
    const existing: TopicInfo[] = [];
    for (const { topic } of specs) {
      if (before.has(topic)) existing.push(before.get(topic)!);
      else created.push(after.get(topic) ?? { topic, partitions: 0 });
    }
    return { created, existing };
  }

  /** Disconnects both clients. */
  async close(): Promise<void> {
    this.#admin.disconnect();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#timeoutMs);
      try {
        this.#metadata.disconnect(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        disconnectQuietly(this.#metadata);
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
