import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adminConfig, consumerConfig, producerConfig, type ClientConfigInput } from './client-config.js';

const base: ClientConfigInput = { brokers: 'k:9092', clientId: 'mapper-abc', config: {} };

describe('producerConfig', () => {
  it('partitions keys with murmur2 as Java does and reports deliveries', () => {
    const { global, topic } = producerConfig(base);
    assert.equal(topic['partitioner'], 'murmur2_random');
    assert.equal(global['partitioner'], undefined, 'a topic property on the global part would be dropped');
    assert.equal(global['dr_cb'], true);
    assert.equal(global['bootstrap.servers'], 'k:9092');
    assert.equal(global['client.id'], 'mapper-abc');
    assert.equal(global['linger.ms'], 5);
  });

  it('draws a partition per keyless record (no sticky partition), so a burst reaches every partition', () => {
    assert.equal(producerConfig(base).global['sticky.partitioning.linger.ms'], 0);
    const user = producerConfig({ ...base, config: { 'sticky.partitioning.linger.ms': '10' } }).global;
    assert.equal(user['sticky.partitioning.linger.ms'], '10', 'a user may choose sticky batches again');
  });

  it('a transactional producer closes idle connections, which ends a sendOffsetsToTransaction stuck on a departed coordinator', () => {
    assert.equal(producerConfig({ ...base, transactional: true }).global['connections.max.idle.ms'], 10_000);
    assert.equal(producerConfig({ ...base, idempotent: true }).global['connections.max.idle.ms'], undefined, 'other producers keep their connections');
    const user = producerConfig({ ...base, transactional: true, config: { 'connections.max.idle.ms': '0' } }).global;
    assert.equal(user['connections.max.idle.ms'], '0', 'a user may keep them open');
  });

  it('reports failed records only, a transactional producer too (its commit flushes every record)', () => {
    assert.equal(producerConfig(base).global['delivery.report.only.error'], true);
    const transactional = producerConfig({ ...base, transactional: true }).global;
    assert.equal(transactional['delivery.report.only.error'], true);
    assert.equal(transactional['dr_cb'], true);
  });

  it('lowLatency sends at once; idempotent asks for acks from all replicas', () => {
    assert.equal(producerConfig({ ...base, lowLatency: true }).global['linger.ms'], 0);
    const { global, topic } = producerConfig({ ...base, idempotent: true });
    assert.equal(global['enable.idempotence'], true);
    assert.equal(topic['acks'], 'all');
  });

  it("passes the user's settings through, each to the part librdkafka reads it from", () => {
    const { global, topic } = producerConfig({
      ...base,
      config: { 'linger.ms': '20', 'sasl.mechanisms': 'PLAIN', 'message.timeout.ms': '5000', partitioner: 'consistent_random' },
    });
    assert.equal(global['linger.ms'], '20');
    assert.equal(global['sasl.mechanisms'], 'PLAIN');
    assert.equal(topic['message.timeout.ms'], '5000');
    assert.equal(topic['partitioner'], 'consistent_random');
  });

  it('transactional: a transactional.id stable for the instance, idempotent, acks=all, whatever the user set', () => {
    const { global, topic } = producerConfig({ ...base, transactional: true, config: { 'transactional.id': 'shared', 'linger.ms': '1' } });
    assert.equal(global['transactional.id'], 'catenae-mapper-abc');
    assert.equal(global['enable.idempotence'], true);
    assert.equal(topic['acks'], 'all');
    assert.equal(global['linger.ms'], '1');
    assert.equal(producerConfig(base).global['transactional.id'], undefined);
  });

  it('a user metadata.broker.list replaces the bootstrap list', () => {
    const { global } = producerConfig({ ...base, config: { 'metadata.broker.list': 'other:1' } });
    assert.equal(global['bootstrap.servers'], undefined);
    assert.equal(global['metadata.broker.list'], 'other:1');
  });
});

describe('consumerConfig', () => {
  it('commits only explicitly, assigns round-robin and reads a new group from the start', () => {
    const { global, topic } = consumerConfig({ ...base, groupId: 'catenae_mapper' });
    assert.equal(global['group.id'], 'catenae_mapper');
    assert.equal(global['enable.auto.commit'], false);
    assert.equal(global['offset_commit_cb'], true);
    assert.equal(global['partition.assignment.strategy'], 'roundrobin,range');
    assert.equal(topic['auto.offset.reset'], 'earliest');
  });

  it('reads committed records only (librdkafka default, stated); in transactional mode whatever the user set', () => {
    assert.equal(consumerConfig({ ...base, groupId: 'g' }).global['isolation.level'], 'read_committed');
    const uncommitted = { 'isolation.level': 'read_uncommitted' };
    assert.equal(consumerConfig({ ...base, groupId: 'g', config: uncommitted }).global['isolation.level'], 'read_uncommitted');
    assert.equal(consumerConfig({ ...base, groupId: 'g', transactional: true, config: uncommitted }).global['isolation.level'], 'read_committed');
  });

  it('lets the user choose where a new group starts and how it is assigned', () => {
    const { global, topic } = consumerConfig({
      ...base,
      groupId: 'g',
      config: { 'auto.offset.reset': 'latest', 'partition.assignment.strategy': 'cooperative-sticky' },
    });
    assert.equal(topic['auto.offset.reset'], 'latest');
    assert.equal(global['partition.assignment.strategy'], 'cooperative-sticky');
  });
});

describe('adminConfig', () => {
  it('keeps the connection settings', () => {
    const config = adminConfig({ ...base, config: { 'security.protocol': 'ssl' } });
    assert.deepEqual(config, { 'bootstrap.servers': 'k:9092', 'client.id': 'mapper-abc-admin', 'security.protocol': 'ssl' });
  });
});
