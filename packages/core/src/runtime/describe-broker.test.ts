import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedBroker } from '../broker/embedded-broker.js';
import { EmbeddedTransportFactory } from '../broker/embedded-transport.js';
import { describeBroker } from './describe-broker.js';

describe('describeBroker', () => {
  it('names the embedded broker so a forgotten -k shows, and Kafka by its bootstrap servers', () => {
    assert.equal(describeBroker(new EmbeddedTransportFactory(new EmbeddedBroker())), 'the embedded broker (in this process: give -k host:port for Kafka)');
    const kafka = { kind: 'kafka', address: 'broker-1:9092,broker-2:9092', create: () => assert.fail('not used') };
    assert.equal(describeBroker(kafka), 'Kafka at broker-1:9092,broker-2:9092');
    assert.equal(describeBroker({ kind: 'pulsar', create: () => assert.fail('not used') }), 'pulsar');
  });
});
