/** A `catenae run` flag: its name, short alias, value type and help text. */
export interface FlagSpec {
  readonly name: string;
  readonly alias?: string;
  readonly type: 'string' | 'boolean' | 'number' | 'list' | 'pairs';
  readonly describe: string;
}

/**
 * The flags of `catenae run`. Each one can also come from `CATENAE_<NAME>` (upper snake case, e.g.
 * `CATENAE_CONSUMER_GROUP`); a flag on the command line wins over the variable.
 */
export const RUN_FLAGS: readonly FlagSpec[] = [
  { name: 'kafka', alias: 'k', type: 'string', describe: 'Kafka bootstrap servers, host:port[,host:port] (absent: an embedded broker in this process)' },
  { name: 'input', alias: 'i', type: 'list', describe: 'input topics, comma separated' },
  { name: 'output', alias: 'o', type: 'string', describe: 'default output topic' },
  { name: 'consumer-group', alias: 'g', type: 'string', describe: 'consumer group (default catenae_<link name>)' },
  { name: 'uid-consumer-group', type: 'boolean', describe: 'a group of its own per instance: every instance reads the whole stream' },
  { name: 'random-consumer-group', type: 'boolean', describe: 'alias of --uid-consumer-group (the Python library\'s name)' },
  { name: 'mode', type: 'string', describe: 'async | sequential | synchronous | exactly-once (default async)' },
  { name: 'seq', type: 'boolean', describe: 'sequential mode: one electron at a time, in order' },
  { name: 'sync', type: 'boolean', describe: 'synchronous mode: each output acknowledged before its input is committed' },
  { name: 'eos', type: 'boolean', describe: 'exactly-once mode: Kafka transactions' },
  { name: 'concurrency', type: 'number', describe: 'electrons in flight at once in async mode (default 32)' },
  { name: 'input-mode', type: 'string', describe: 'parity | priority | exp (default parity)' },
  { name: 'exp-window-size', type: 'number', describe: 'window of the exp input mode, seconds (default 900)' },
  { name: 'consumer-timeout', type: 'number', describe: 'stop after this many milliseconds without input' },
  { name: 'on-error', type: 'string', describe: 'dlq | skip | exit (default dlq: retry, then <topic>.dlq)' },
  { name: 'retries', type: 'number', describe: 'retries of a failed handler before dead-lettering (default 3)' },
  { name: 'retry-backoff-ms', type: 'number', describe: 'backoff before the first retry, doubled each time (default 100)' },
  { name: 'codec', type: 'string', describe: 'codec of non-string outputs: transparent | json | avro (default transparent)' },
  { name: 'input-format', type: 'string', describe: 'how messages without a codec header decode: string | json | bytes (default string)' },
  { name: 'workers', type: 'number', describe: 'run the handlers in this many worker threads' },
  { name: 'mongodb', alias: 'm', type: 'string', describe: 'MongoDB host:port or mongodb:// URI, as ctx.mongodb' },
  { name: 'aerospike', alias: 'a', type: 'string', describe: 'Aerospike host:port, as ctx.aerospike' },
  { name: 'kafka-config', type: 'pairs', describe: 'librdkafka setting key=value (repeatable; also CATENAE_KAFKA_<KEY>)' },
  { name: 'uid', type: 'string', describe: 'instance id (default $HOSTNAME in a container, else random)' },
  { name: 'log-level', type: 'string', describe: 'error | warn | info | debug | silent (default info)' },
  { name: 'log-format', type: 'string', describe: 'pretty | json (default pretty)' },
  { name: 'shutdown-timeout', type: 'number', describe: 'milliseconds a stop may take to drain and commit (default 30000)' },
  { name: 'metrics-port', type: 'number', describe: 'serve Prometheus metrics, /health and /ready on this port' },
  { name: 'announce-interval', type: 'number', describe: 'announce the instance on catenae.instances every this many ms (default 10000 on Kafka; 0: never)' },
  {
    name: 'state-dir',
    type: 'string',
    describe: 'keep table shards in a local store here (default on Kafka: <tmp>/catenae-state; "memory": in memory)',
  },
];

/** The environment variable of a flag: `consumer-group` → `CATENAE_CONSUMER_GROUP`. */
export function envNameOf(flag: string): string {
  return `CATENAE_${flag.toUpperCase().replace(/-/g, '_')}`;
}
