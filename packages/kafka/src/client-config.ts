// librdkafka settings of the clients a KafkaTransport creates: Catenae's defaults, then the
// user's settings on top, each sent to the part of the configuration librdkafka reads it from.

/** A librdkafka configuration as node-rdkafka takes it. */
export type RdkafkaConfig = Record<string, string | number | boolean>;

/** The global and the default-topic configuration of one librdkafka client. */
export interface ClientConfig {
  global: RdkafkaConfig;
  topic: RdkafkaConfig;
}

/** What the transport knows when it builds its clients' configuration. */
export interface ClientConfigInput {
  brokers: string;
  clientId: string;
  groupId?: string | undefined;
  idempotent?: boolean | undefined;
  /** A transactional producer (`transactional.id` = `catenae-<clientId>`); consumers then read committed records only whatever the user set. */
  transactional?: boolean | undefined;
  lowLatency?: boolean | undefined;
  /** The group must give members the same partition numbers of every input (range assignment). */
  copartitioned?: boolean | undefined;
  /** The user's settings; they override every default below. */
  config: Readonly<Record<string, string>>;
}

// librdkafka's topic-level properties (CONFIGURATION.md, "Topic configuration properties").
// node-rdkafka always passes a default topic configuration, and librdkafka then drops the
// topic-level properties set on the global one, so these must go to the topic part.
const TOPIC_LEVEL = new Set([
  'request.required.acks',
  'acks',
  'request.timeout.ms',
  'message.timeout.ms',
  'delivery.timeout.ms',
  'queuing.strategy',
  'produce.offset.report',
  'partitioner',
  'compression.level',
  'auto.commit.enable',
  'auto.offset.reset',
  'offset.store.path',
  'offset.store.sync.interval.ms',
  'offset.store.method',
  'consume.callback.max.messages',
]);

/** A transactional producer closes a broker connection idle this long (see producerConfig). */
const TRANSACTIONAL_IDLE_CONNECTION_MS = 10_000;

/** The producer's configuration: murmur2 partitioning (as Java clients), delivery reports on. */
export function producerConfig(input: ClientConfigInput): ClientConfig {
  const defaults: RdkafkaConfig = {
    'bootstrap.servers': input.brokers,
    'client.id': input.clientId,
    // A short linger batches a busy stream; 0 sends every record at once.
    'linger.ms': input.lowLatency === true ? 0 : 5,
    // Keyed records land where Java's producer puts them; keyless ones are spread at random.
    partitioner: 'murmur2_random',
    // ... each on a partition of its own draw. librdkafka's default keeps a "sticky" partition
    // for every keyless record of 2 × linger.ms, so a burst (a source yielding 1000 electrons)
    // lands on one partition and one instance downstream gets all the work. 0 turns that off;
    // the embedded broker draws the same way.
    'sticky.partitioning.linger.ms': 0,
  };
  if (input.idempotent === true || input.transactional === true) {
    defaults['enable.idempotence'] = true;
    defaults['acks'] = 'all';
  }
  if (input.transactional === true) {
    // Once the group coordinator's node has left the cluster, librdkafka's sendOffsetsToTransaction
    // waits for some broker's connection to go up or down, and may wait for ever
    // (confluentinc/librdkafka#5511): the call holds a thread of libuv's pool, which Node joins at
    // exit, so a stopping link hung after "stopped" until the broker dropped an idle connection
    // (600 s). Closing connections idle this long is such a change, and answers the call.
    defaults['connections.max.idle.ms'] = TRANSACTIONAL_IDLE_CONNECTION_MS;
  }
  // librdkafka reports failed records only: FlushProducer acknowledges batches by rounds of
  // flushes, and a transaction's commit flushes its records (HandoverProducer).
  const fixed: RdkafkaConfig = { dr_cb: true, 'delivery.report.only.error': true };
  // Stable for a link instance (its uid), so a restarted instance fences its predecessor and
  // aborts the transaction that one left open.
  if (input.transactional === true) fixed['transactional.id'] = `catenae-${input.clientId}`;
  return split(defaults, input.config, fixed);
}

/**
 * The consumer's configuration: explicit commits only, eager round-robin assignment, a new group
 * reads the backlog (`auto.offset.reset=earliest`, overridable).
 */
export function consumerConfig(input: ClientConfigInput): ClientConfig {
  const defaults: RdkafkaConfig = {
    'bootstrap.servers': input.brokers,
    'client.id': input.clientId,
    'group.id': input.groupId ?? '',
    'enable.auto.commit': false,
    'auto.offset.reset': 'earliest',
    // Eager, as the embedded broker: a rebalance revokes everything, then hands out full
    // assignments, which is what the runtime's revoke (drain all, commit) is built for.
    // Round-robin spreads the partitions of several input topics over the members; range would
    // give every one-partition topic to the same member. `cooperative-sticky` works too.
    'partition.assignment.strategy': 'roundrobin,range',
    // Members learn of a rebalance from a heartbeat answer: 1 s instead of 3 s lets a new
    // instance get its partitions sooner.
    'heartbeat.interval.ms': 1000,
    // When the prefetch queue is full librdkafka waits this long before fetching again (default
    // 1000 ms): a fast link would drain the queue and then idle.
    'fetch.queue.backoff.ms': 20,
    // librdkafka's default, stated: records of aborted or still open transactions are never read.
    'isolation.level': 'read_committed',
  };
  // Exactly once: reading uncommitted input would let aborted records through.
  const fixed: RdkafkaConfig = input.transactional === true ? { offset_commit_cb: true, 'isolation.level': 'read_committed' } : { offset_commit_cb: true };
  // A link with tables: its shard p covers partition p of every input topic, which only range
  // assignment guarantees (whatever strategy the user set).
  if (input.copartitioned === true) fixed['partition.assignment.strategy'] = 'range';
  return split(defaults, input.config, fixed);
}

/** The admin client's configuration: the connection settings only matter there. */
export function adminConfig(input: ClientConfigInput): RdkafkaConfig {
  return { 'bootstrap.servers': input.brokers, 'client.id': `${input.clientId}-admin`, ...input.config };
}

function split(defaults: RdkafkaConfig, user: Readonly<Record<string, string>>, fixed: RdkafkaConfig): ClientConfig {
  const global: RdkafkaConfig = {};
  const topic: RdkafkaConfig = {};
  // A user's `metadata.broker.list` must replace our `bootstrap.servers`, not sit beside it.
  if ('metadata.broker.list' in user) delete defaults['bootstrap.servers'];
  for (const source of [defaults, user]) {
    for (const key of Object.keys(source)) {
      const target = TOPIC_LEVEL.has(key) ? topic : global;
      target[key] = source[key]!;
    }
  }
  Object.assign(global, fixed);
  return { global, topic };
}
