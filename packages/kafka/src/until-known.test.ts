import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Kafka from 'node-rdkafka';
import { isNotYetKnown, untilKnown } from './until-known.js';

const CODES = Kafka.CODES.ERRORS;
const brokerFailure = (code: number, message: string) => Object.assign(new Error(message), { code });

describe('untilKnown', () => {
  it('asks again while the cluster does not know the partition yet, then answers', async () => {
    const failures = [brokerFailure(CODES.ERR_UNKNOWN_TOPIC_OR_PART, 'Broker: Unknown topic or partition'), brokerFailure(CODES.ERR_LEADER_NOT_AVAILABLE, 'Broker: Leader not available')];
    const timeouts: number[] = [];
    const answer = await untilKnown(async (timeoutMs) => {
      timeouts.push(timeoutMs);
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
      return 'offsets';
    }, Date.now() + 10_000);
    assert.equal(answer, 'offsets');
    assert.equal(timeouts.length, 3);
    assert.ok(timeouts.every((t) => t > 0 && t <= 10_000), `each attempt gets what is left: ${timeouts.join(', ')}`);
  });

  it('rejects at once with any other failure', async () => {
    let attempts = 0;
    const denied = brokerFailure(CODES.ERR_TOPIC_AUTHORIZATION_FAILED, 'Broker: Topic authorization failed');
    await assert.rejects(
      untilKnown(async () => {
        attempts++;
        throw denied;
      }, Date.now() + 10_000),
      (err) => err === denied,
    );
    assert.equal(attempts, 1);
  });

  it('gives up with the broker\'s own error at the deadline', async () => {
    const unknown = brokerFailure(CODES.ERR_UNKNOWN_TOPIC_OR_PART, 'Broker: Unknown topic or partition');
    const started = Date.now();
    await assert.rejects(
      untilKnown(async () => {
        throw unknown;
      }, started + 500),
      (err) => err === unknown,
    );
    assert.ok(Date.now() - started < 2_000);
  });

  it('tells which failures mean "not known yet"', () => {
    assert.equal(isNotYetKnown(brokerFailure(CODES.ERR__UNKNOWN_PARTITION, 'Local: Unknown partition')), true);
    assert.equal(isNotYetKnown(brokerFailure(CODES.ERR__TRANSPORT, 'Local: Broker transport failure')), false);
    assert.equal(isNotYetKnown(new Error('no code')), false);
  });
});
