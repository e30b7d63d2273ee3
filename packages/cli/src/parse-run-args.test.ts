import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { parseRunArgs } from './parse-run-args.js';

test('flags become start options, arguments after -- reach the link', async () => {
  const { files, options, hasLinkTopics } = await parseRunArgs(
    ['./dist/mapper.js', '-k', 'localhost:9092,broker-2:9093', '-i', 'a, b', '-o', 'out', '-g', 'grp', '--seq', '--concurrency', '8', '--', '--repeat', '3'],
    {},
  );
  assert.deepEqual(files, ['./dist/mapper.js']);
  assert.equal(options.kafka, 'localhost:9092,broker-2:9093');
  assert.deepEqual(options.inputs, ['a', 'b']);
  assert.equal(options.output, 'out');
  assert.equal(options.consumerGroup, 'grp');
  assert.equal(options.mode, 'sequential');
  assert.equal(options.concurrency, 8);
  assert.deepEqual(options.args, ['--repeat', '3']);
  assert.equal(hasLinkTopics, true);
});

test('CATENAE_* variables fill flags that were not given, and flags win', async () => {
  const env = { CATENAE_KAFKA: 'env-host:9092', CATENAE_OUTPUT: 'env-out', CATENAE_UID_CONSUMER_GROUP: 'true' };
  const { options } = await parseRunArgs(['link.js', '-o', 'flag-out', '--kafka-config', 'linger.ms=1'], env);
  assert.equal(options.kafka, 'env-host:9092');
  assert.equal(options.output, 'flag-out');
  assert.equal(options.uidConsumerGroup, true);
  assert.deepEqual(options.kafkaConfig, { 'linger.ms': '1' });
});

test('--random-consumer-group is the Python name of --uid-consumer-group', async () => {
  const { options } = await parseRunArgs(['link.js', '--random-consumer-group'], {});
  assert.equal(options.uidConsumerGroup, true);
});

for (const [argv, fragment] of [
  [['link.js', '-k', 'localhost'], '-k "localhost" is not host:port'],
  [['link.js', '-k', 'host:99999'], 'is not host:port'],
  [['link.js', '-k', ':9092'], 'is not host:port'],
  [['link.js', '--bogus', '1'], 'unknown flag --bogus'],
  [['link.js', '--concurrency', 'many'], '--concurrency "many" is not a number'],
  [['link.js', '--seq', '--sync'], 'conflicting modes'],
  [['link.js', '--kafka-config', 'novalue'], 'is not key=value'],
  [['link.js', '-a', 'aero'], '-a "aero" is not host:port'],
  [[], 'needs at least one link file'],
] as const) {
  test(`bad input is one clear error: ${argv.join(' ') || '(nothing)'}`, async () => {
    await assert.rejects(parseRunArgs(argv, {}), (err: Error & { code?: string }) => {
      assert.equal(err.code, ErrorCode.BadFlag);
      assert.ok(err.message.includes(fragment), err.message);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  });
}

test('a MongoDB URI is accepted as -m', async () => {
  const { options } = await parseRunArgs(['link.js', '-m', 'mongodb://user:pw@db:27017/app'], {});
  assert.equal(options.mongodb, 'mongodb://user:pw@db:27017/app');
});

test('--state-dir is kept as given; a flag given twice is refused with one line', async () => {
  const { options } = await parseRunArgs(['link.js', '-k', 'localhost:9092', '--state-dir', '/var/lib/catenae'], {});
  assert.equal(options.stateDir, '/var/lib/catenae');
  await assert.rejects(parseRunArgs(['link.js', '--state-dir', 'a', '--state-dir', 'b'], {}), { code: ErrorCode.BadFlag, message: '--state-dir was given 2 times (a, b): give it once' });
  await assert.rejects(parseRunArgs(['link.js', '-o', 'x', '-o', 'y'], {}), { code: ErrorCode.BadFlag, message: /--output was given 2 times/ });
});

test('--replication-factor (or CATENAE_REPLICATION_FACTOR) sets the replicas of the topics the link creates', async () => {
  assert.equal((await parseRunArgs(['link.js', '--replication-factor', '3'], {})).options.replicationFactor, 3);
  assert.equal((await parseRunArgs(['link.js'], { CATENAE_REPLICATION_FACTOR: '2' })).options.replicationFactor, 2);
  assert.equal((await parseRunArgs(['link.js'], {})).options.replicationFactor, undefined, 'absent: the cluster default');
  await assert.rejects(parseRunArgs(['link.js', '--replication-factor', 'all'], {}), { code: ErrorCode.BadFlag, message: '--replication-factor "all" is not a number' });
});

test('--announce-interval (or CATENAE_ANNOUNCE_INTERVAL) sets how often an instance announces itself; 0 turns it off', async () => {
  assert.equal((await parseRunArgs(['link.js', '--announce-interval', '0'], {})).options.announceIntervalMs, 0);
  assert.equal((await parseRunArgs(['link.js'], { CATENAE_ANNOUNCE_INTERVAL: '2000' })).options.announceIntervalMs, 2000);
  assert.equal((await parseRunArgs(['link.js'], {})).options.announceIntervalMs, undefined);
});

test('catenae dev takes the same flags, and its errors name catenae dev', async () => {
  await assert.rejects(parseRunArgs([], {}, 'dev'), { code: ErrorCode.BadFlag, message: 'catenae dev needs at least one link file, e.g. catenae dev ./dist/mapper.js' });
  await assert.rejects(parseRunArgs(['a.js', '--bogus'], {}, 'dev'), { code: ErrorCode.BadFlag, message: 'unknown flag --bogus: see catenae dev --help; arguments for the link go after --' });
});
