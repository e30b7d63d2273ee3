import { channel } from 'node:diagnostics_channel';

/** What {@link kafkaClientErrorChannel} publishes. */
export interface KafkaClientErrorMessage {
  /** The `clientId` of the transport whose client reported it. */
  clientId: string;
  /** `producer`, `consumer` or `admin`. */
  client: string;
  error: Error;
}

/**
 * `catenae:kafka:client-error`: errors librdkafka reports without failing an operation (a broker
 * went away, a subscribed topic is missing); it recovers from them by itself. Subscribe to log them.
 */
export const kafkaClientErrorChannel = channel('catenae:kafka:client-error');

/** Publishes on {@link kafkaClientErrorChannel} when someone listens; builds nothing otherwise. */
export function publishClientError(clientId: string, client: string, error: unknown): void {
  if (!kafkaClientErrorChannel.hasSubscribers) return;
  const message: KafkaClientErrorMessage = {
    clientId,
    client,
    error: error instanceof Error ? error : new Error(String(error)),
  };
  kafkaClientErrorChannel.publish(message);
}

/** What {@link kafkaLogChannel} publishes: one of librdkafka's log lines. */
export interface KafkaLogMessage {
  clientId: string;
  client: string;
  /** syslog severity: 0 emergency ... 3 error, 4 warning, 5 notice, 6 info, 7 debug. */
  severity: number;
  /** librdkafka's facility (`FAIL`, `CGRPOP`, `REQTMOUT`, ...). */
  facility: string;
  message: string;
}

/**
 * `catenae:kafka:log`: librdkafka's own log lines (level `log_level`, 6 by default; `debug=cgrp,...`
 * adds debug lines). The runtime routes them into the link's winston logger.
 */
export const kafkaLogChannel = channel('catenae:kafka:log');

/** Publishes a node-rdkafka `event.log` on {@link kafkaLogChannel} when someone listens. */
export function publishClientLog(clientId: string, client: string, event: { severity?: number; fac?: string; message?: string }): void {
  if (!kafkaLogChannel.hasSubscribers) return;
  const message: KafkaLogMessage = {
    clientId,
    client,
    severity: event.severity ?? 6,
    facility: event.fac ?? '',
    // librdkafka prefixes its thread: "[thrd:main]: ..."; the client id already says who.
    message: (event.message ?? '').replace(/^\[thrd:[^\]]*\]: /, ''),
  };
  kafkaLogChannel.publish(message);
}

/** What {@link kafkaConsumerLagChannel} publishes. */
export interface KafkaConsumerLagMessage {
  clientId: string;
  /** The consumer's assigned partitions whose lag is known. */
  partitions: { topic: string; partition: number; lag: number }[];
}

/**
 * `catenae:kafka:consumer-lag`: per assigned partition, the high watermark (the last stable
 * offset under `read_committed`, librdkafka's default) minus the group's committed offset, from
 * librdkafka's statistics; a partition the group never committed counts from its first offset
 * when the consumer starts from the earliest (Catenae's default), and is left out otherwise. A
 * consumer asks librdkafka for statistics (every 5 s unless `statistics.interval.ms` says
 * otherwise) only when this channel has a subscriber as it connects.
 */
export const kafkaConsumerLagChannel = channel('catenae:kafka:consumer-lag');

/** How often a consumer asks for statistics when its lag is wanted. */
export const LAG_STATISTICS_INTERVAL_MS = 5000;

interface PartitionStatistics {
  desired?: boolean;
  consumer_lag?: number;
  committed_offset?: number;
  lo_offset?: number;
  hi_offset?: number;
  ls_offset?: number;
}

/**
 * Publishes the lag in a librdkafka statistics JSON on {@link kafkaConsumerLagChannel} when
 * someone listens. `isFromEarliest`: the consumer starts a partition without a committed offset
 * at its first offset (`auto.offset.reset=earliest`).
 */
export function publishConsumerLag(clientId: string, statisticsJson: string, isFromEarliest: boolean): void {
  if (!kafkaConsumerLagChannel.hasSubscribers) return;
  let statistics: { topics?: Record<string, { partitions?: Record<string, PartitionStatistics> }> };
  try {
    statistics = JSON.parse(statisticsJson);
  } catch {
    return;
  }
  const partitions: KafkaConsumerLagMessage['partitions'] = [];
  for (const [topic, topicStatistics] of Object.entries(statistics.topics ?? {})) {
    for (const [id, partition] of Object.entries(topicStatistics.partitions ?? {})) {
      // -1 is librdkafka's internal unassigned partition.
      if (id === '-1' || partition.desired !== true) continue;
      const lag = partition.consumer_lag ?? -1;
      if (lag >= 0) partitions.push({ topic, partition: Number(id), lag });
      else if (isFromEarliest && (partition.committed_offset ?? -1) < 0) {
        const end = (partition.ls_offset ?? -1) >= 0 ? partition.ls_offset! : (partition.hi_offset ?? -1);
        const start = partition.lo_offset ?? -1;
        if (start >= 0 && end >= start) partitions.push({ topic, partition: Number(id), lag: end - start });
      }
    }
  }
  const message: KafkaConsumerLagMessage = { clientId, partitions };
  kafkaConsumerLagChannel.publish(message);
}
