import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { kafkaConfigFromEnv, parseKafkaConfig, validateBrokers } from './kafka-config.js';

describe('validateBrokers', () => {
  it('accepts host:port lists and drops blanks around entries', () => {
    assert.equal(validateBrokers('localhost:9092'), 'localhost:9092');
    assert.equal(validateBrokers(' kafka-1.example.com:9092 , 10.0.0.7:19092 '), 'kafka-1.example.com:9092,10.0.0.7:19092');
    assert.equal(validateBrokers('[::1]:9092'), '[::1]:9092');
  });

  for (const bad of ['', 'localhost', 'localhost:', ':9092', 'host:0', 'host:65536', 'host:90a', 'a:1,,b:2', 'http://host:9092', 'a b:1']) {
    it(`rejects "${bad}" with CATENAE_BAD_FLAG`, () => {
      assert.throws(() => validateBrokers(bad), { code: ErrorCode.BadFlag, message: /is not host:port/ });
    });
  }

  it('names the bad entry of a list', () => {
    assert.throws(() => validateBrokers('a:1,b'), { message: /entry "b" of Kafka bootstrap list "a:1,b"/ });
  });
});

describe('kafkaConfigFromEnv', () => {
  it('maps CATENAE_KAFKA_* variables to librdkafka names', () => {
    const config = kafkaConfigFromEnv({
      CATENAE_KAFKA_SASL_MECHANISMS: 'SCRAM-SHA-512',
      CATENAE_KAFKA_SECURITY_PROTOCOL: 'sasl_ssl',
      CATENAE_KAFKA_ENABLE__SASL__QUEUE: 'true',
      CATENAE_KAFKA_LINGER_MS: '0',
      PATH: '/usr/bin',
      CATENAE_LOG_LEVEL: 'debug',
    });
    assert.deepEqual(config, {
      'enable_sasl_queue': 'true',
      'linger.ms': '0',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'security.protocol': 'sasl_ssl',
    });
  });

  it('skips the bootstrap variable and the --kafka-config one', () => {
    assert.deepEqual(kafkaConfigFromEnv({ CATENAE_KAFKA: 'h:1', CATENAE_KAFKA_: 'x', CATENAE_KAFKA_CONFIG: 'a=b' }), {});
  });
});

describe('parseKafkaConfig', () => {
  it('splits at the first =, keeping the rest of the value', () => {
    assert.deepEqual(parseKafkaConfig(['linger.ms=0', 'sasl.jaas.config=a=b,c', 'client.rack=']), {
      'linger.ms': '0',
      'sasl.jaas.config': 'a=b,c',
      'client.rack': '',
    });
  });

  it('rejects an entry without a key', () => {
    assert.throws(() => parseKafkaConfig(['linger.ms']), { code: ErrorCode.BadFlag, message: /"linger.ms" is not key=value/ });
    assert.throws(() => parseKafkaConfig(['=1']), { code: ErrorCode.BadFlag });
  });
});
