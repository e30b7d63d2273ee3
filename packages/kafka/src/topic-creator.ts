import { CatenaeError, ErrorCode, type TopicSpec } from '@catenae/core';
import type Kafka from 'node-rdkafka';
import { brokerError, RdkafkaCode, rdkafkaCode, reasonOf } from './kafka-errors.js';

const RETRY_MS = 100;

/**
 * Creates the topics that do not exist yet (partitions from the spec, else the broker's default;
 * `replicationFactor` replicas, else the broker's default), then waits until the metadata shows every partition
 * of each new topic with a leader, so a subscription made right after finds them. Existing topics
 * are left as they are. Bounded by `timeoutMs`. Resolves with the partition count of each topic
 * it created.
 * @throws CatenaeError `CATENAE_BROKER` naming the topic the broker refused or did not show in time.
 */
export async function ensureKafkaTopics(
  admin: Kafka.IAdminClient,
  metadataClient: Kafka.Producer,
  specs: readonly TopicSpec[],
  timeoutMs: number,
  replicationFactor?: number,
): Promise<Map<string, number>> {
  const created = new Map<string, number>();
  if (specs.length === 0) return created;
  const deadline = Date.now() + timeoutMs;
  const existing = new Set<string>();
  // All topics, not each one by name: a producer's metadata request for a missing topic would
  // have the broker auto-create it with its defaults.
  const all = await metadata(metadataClient, { allTopics: true, timeout: timeoutMs }, 'list the topics');
  for (const topic of all.topics) if (topic.partitions.length > 0) existing.add(topic.name);
  const missing = new Map<string, TopicSpec>();
  for (const spec of specs) if (!existing.has(spec.topic) && !missing.has(spec.topic)) missing.set(spec.topic, spec);
  if (missing.size === 0) return created;
  await Promise.all([...missing.values()].map((spec) => createTopic(admin, newTopicRequest(spec, replicationFactor), remaining(deadline))));
  for (const spec of missing.values()) created.set(spec.topic, await waitForLeaders(metadataClient, spec, deadline));
  return created;
}

/** The CreateTopics request of one spec; -1 leaves the count to the broker's `num.partitions` or `default.replication.factor`. */
export function newTopicRequest(spec: TopicSpec, replicationFactor: number | undefined): Kafka.NewTopic {
  const request: Kafka.NewTopic = { topic: spec.topic, num_partitions: spec.partitions ?? -1, replication_factor: replicationFactor ?? -1 };
  if (spec.config !== undefined) request.config = { ...spec.config };
  return request;
}

function createTopic(admin: Kafka.IAdminClient, request: Kafka.NewTopic, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    admin.createTopic(request, Math.max(1, timeoutMs), (err) => {
      if (!err || rdkafkaCode(err) === RdkafkaCode.TopicAlreadyExists) resolve();
      else reject(brokerError(`Kafka did not create topic "${request.topic}"`, err));
    });
  });
}

// Resolves with the topic's partition count once each of them has a leader.
async function waitForLeaders(client: Kafka.Producer, spec: TopicSpec, deadline: number): Promise<number> {
  let reason = 'not in the metadata yet';
  for (;;) {
    try {
      const md = await metadata(client, { topic: spec.topic, timeout: Math.min(5000, remaining(deadline)) }, 'read metadata');
      const topic = md.topics.find((t) => t.name === spec.topic);
      const partitions = topic?.partitions ?? [];
      if (partitions.length > 0 && partitions.length >= (spec.partitions ?? 1) && partitions.every((p) => p.leader >= 0)) return partitions.length;
      reason = partitions.length === 0 ? 'not in the metadata yet' : 'some partitions have no leader yet';
    } catch (err) {
      reason = reasonOf(err);
    }
    if (remaining(deadline) <= RETRY_MS) {
      throw new CatenaeError(ErrorCode.Broker, `topic "${spec.topic}" was created but is not ready: ${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

function metadata(client: Kafka.Producer, options: Kafka.MetadataOptions, what: string): Promise<Kafka.Metadata> {
  return new Promise((resolve, reject) => {
    client.getMetadata(options, (err, data) => (err ? reject(brokerError(`cannot ${what}`, err)) : resolve(data)));
  });
}

function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}

/**
 * The partition count of `topic`, or undefined when it does not exist, from a metadata request
 * for all topics (a request naming a missing topic would have the broker create it).
 */
export async function partitionCountOf(client: Kafka.Producer, topic: string, timeoutMs: number): Promise<number | undefined> {
  const all = await metadata(client, { allTopics: true, timeout: timeoutMs }, 'list the topics');
  const found = all.topics.find((t) => t.name === topic);
  return found === undefined || found.partitions.length === 0 ? undefined : found.partitions.length;
}
