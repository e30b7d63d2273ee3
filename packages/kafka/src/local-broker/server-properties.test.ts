import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scramFormatArgs } from './broker-listeners.js';
import { serverProperties } from './server-properties.js';

describe('serverProperties', () => {
  const text = serverProperties(19092, '/tmp/k/data');
  const props = new Map(
    text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

  it('runs broker and controller in one process, the controller on the next port', () => {
    assert.equal(props.get('process.roles'), 'broker,controller');
    assert.equal(props.get('listeners'), 'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    assert.equal(props.get('advertised.listeners'), 'PLAINTEXT://127.0.0.1:19092');
    assert.equal(props.get('controller.quorum.bootstrap.servers'), '127.0.0.1:19093');
    assert.equal(props.get('controller.listener.names'), 'CONTROLLER');
    assert.equal(props.get('log.dirs'), '/tmp/k/data');
  });

  it('fits one node: replication 1, 4 partitions, no initial rebalance delay, topics auto-created', () => {
    assert.equal(props.get('num.partitions'), '4');
    assert.equal(props.get('offsets.topic.replication.factor'), '1');
    assert.equal(props.get('transaction.state.log.replication.factor'), '1');
    assert.equal(props.get('transaction.state.log.min.isr'), '1');
    assert.equal(props.get('group.initial.rebalance.delay.ms'), '0');
    assert.equal(props.get('auto.create.topics.enable'), 'true');
  });

  it('adds SASL (PLAIN and SCRAM) and SSL listeners when asked, the PEM on one line', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\nAAAA\n-----END CERTIFICATE-----\n';
    const key = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
    const secure = new Map(
      serverProperties(19092, '/tmp/k/data', { sasl: { port: 19094, users: [{ username: 'alice', password: 'a-secret' }] }, ssl: { port: 19095, certificateChain: pem, privateKey: key } })
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('#'))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    assert.equal(secure.get('listeners'), 'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093,SASL_PLAINTEXT://127.0.0.1:19094,SSL://127.0.0.1:19095');
    assert.equal(secure.get('advertised.listeners'), 'PLAINTEXT://127.0.0.1:19092,SASL_PLAINTEXT://127.0.0.1:19094,SSL://127.0.0.1:19095');
    assert.equal(secure.get('listener.security.protocol.map'), 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL');
    assert.equal(secure.get('listener.name.sasl_plaintext.sasl.enabled.mechanisms'), 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512');
    assert.match(secure.get('listener.name.sasl_plaintext.plain.sasl.jaas.config')!, /PlainLoginModule required user_alice="a-secret";$/);
    assert.equal(secure.get('listener.name.ssl.ssl.keystore.type'), 'PEM');
    assert.equal(secure.get('listener.name.ssl.ssl.keystore.certificate.chain'), '-----BEGIN CERTIFICATE----- MIIB AAAA -----END CERTIFICATE-----');
    assert.equal(secure.get('listener.name.ssl.ssl.keystore.key'), '-----BEGIN PRIVATE KEY----- MIIE -----END PRIVATE KEY-----');
  });

  it('creates the SCRAM users at format time and refuses unsafe credentials', () => {
    assert.deepEqual(scramFormatArgs({ sasl: { port: 1, users: [{ username: 'alice', password: 's3cret' }] } }), [
      '--add-scram',
      'SCRAM-SHA-256=[name=alice,password=s3cret]',
      '--add-scram',
      'SCRAM-SHA-512=[name=alice,password=s3cret]',
    ]);
    assert.deepEqual(scramFormatArgs(undefined), []);
    assert.throws(() => serverProperties(1, '/d', { sasl: { port: 2, users: [{ username: 'alice', password: 'has"quote' }] } }), { code: 'CATENAE_BAD_FLAG' });
  });
});
