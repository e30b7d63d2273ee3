import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { publishClientLog, publishConsumerLag, type KafkaConsumerLagMessage, type KafkaLogMessage } from './diagnostics.js';

/** Collects what `name` publishes while `fn` runs. */
function published<T>(name: string, fn: () => void): T[] {
  const seen: T[] = [];
  const onMessage = (message: unknown) => seen.push(message as T);
  subscribe(name, onMessage);
  try {
    fn();
  } finally {
    unsubscribe(name, onMessage);
  }
  return seen;
}

// The shape of librdkafka 2.12's statistics, cut down to what the lag reads.
const STATISTICS = JSON.stringify({
  name: 'Mapper-abc#consumer-1',
  topics: {
    words: {
      partitions: {
        '0': { desired: true, fetch_state: 'active', hi_offset: 50, committed_offset: 30, consumer_lag: 20 },
        '1': { desired: true, fetch_state: 'active', lo_offset: 5, hi_offset: 50, ls_offset: 45, committed_offset: -1001, consumer_lag: -1 },
        '2': { desired: false, fetch_state: 'none', hi_offset: 50, committed_offset: 10, consumer_lag: 40 },
        '-1': { desired: false, fetch_state: 'none', consumer_lag: -1 },
      },
    },
  },
});

describe('Kafka diagnostics', () => {
  it('consumer lag: the assigned partitions, from the committed offset, else from the first one when reading from the earliest', () => {
    const fromEarliest = published<KafkaConsumerLagMessage>('catenae:kafka:consumer-lag', () => publishConsumerLag('Mapper-abc', STATISTICS, true));
    assert.deepEqual(fromEarliest, [
      {
        clientId: 'Mapper-abc',
        partitions: [
          { topic: 'words', partition: 0, lag: 20 },
          // Nothing committed: from the first offset (5) to the last stable one (45).
          { topic: 'words', partition: 1, lag: 40 },
        ],
      },
    ]);
    const fromLatest = published<KafkaConsumerLagMessage>('catenae:kafka:consumer-lag', () => publishConsumerLag('Mapper-abc', STATISTICS, false));
    assert.deepEqual(fromLatest, [{ clientId: 'Mapper-abc', partitions: [{ topic: 'words', partition: 0, lag: 20 }] }]);
  });

  it('publishes nothing, and parses nothing, without a subscriber', () => {
    assert.doesNotThrow(() => publishConsumerLag('Mapper-abc', 'not json', true));
    assert.deepEqual(published('catenae:kafka:consumer-lag', () => publishConsumerLag('x', 'not json', true)), []);
  });

  it('log lines lose their thread prefix and keep severity and facility', () => {
    const messages = published<KafkaLogMessage>('catenae:kafka:log', () =>
      publishClientLog('Mapper-abc', 'consumer', { severity: 7, fac: 'CGRPOP', message: '[thrd:main]: Group "g" received op SUBSCRIBE' }),
    );
    assert.deepEqual(messages, [{ clientId: 'Mapper-abc', client: 'consumer', severity: 7, facility: 'CGRPOP', message: 'Group "g" received op SUBSCRIBE' }]);
  });
});
