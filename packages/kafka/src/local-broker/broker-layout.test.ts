import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { brokerLayout, brokerPort, KAFKA_VERSION } from './broker-layout.js';

describe('brokerLayout', () => {
  it('keeps each port in its own folder of ~/.cache/catenae and shares the jars', () => {
    const layout = brokerLayout(9092);
    const cache = join(homedir(), '.cache', 'catenae');
    assert.equal(layout.dataDir, join(cache, 'kafka-9092'));
    assert.equal(layout.pidFile, join(cache, 'kafka-9092', 'kafka.pid'));
    assert.equal(layout.libsDir, join(cache, `kafka-${KAFKA_VERSION}`, 'libs'));
    assert.equal(layout.bootstrap, '127.0.0.1:9092');
    assert.equal(brokerLayout(9092, '/d', '/c').libsDir, join('/c', `kafka-${KAFKA_VERSION}`, 'libs'));
  });

  it('finds the pom and the log4j2 configuration shipped with the package', () => {
    const layout = brokerLayout(9092);
    assert.ok(existsSync(layout.pomFile), layout.pomFile);
    assert.ok(existsSync(layout.log4jFile), layout.log4jFile);
  });
});

describe('brokerPort', () => {
  it('takes the option, else KAFKA_PORT, else 9092', () => {
    assert.equal(brokerPort(19092, {}), 19092);
    assert.equal(brokerPort(undefined, { KAFKA_PORT: '29092' }), 29092);
    assert.equal(brokerPort(undefined, {}), 9092);
  });

  it('rejects a port that leaves no room for the controller', () => {
    for (const bad of [0, 65535, 1.5, Number.NaN]) assert.throws(() => brokerPort(bad, {}), { code: ErrorCode.BadFlag });
    assert.throws(() => brokerPort(undefined, { KAFKA_PORT: 'x' }), { message: /"x" is not an integer/ });
  });
});
