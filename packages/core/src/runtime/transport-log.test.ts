import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { channel } from 'node:diagnostics_channel';
import { Writable } from 'node:stream';
import winston from 'winston';
import { logTransportEvents } from './transport-log.js';

function capture(level: string): { logger: winston.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info, _encoding, done) {
      lines.push(info as Record<string, unknown>);
      done();
    },
  });
  return { logger: winston.createLogger({ level, transports: [new winston.transports.Stream({ stream })] }), lines };
}

describe('transport logs', () => {
  it("routes the link's own librdkafka lines at their severity, with client and facility", () => {
    const { logger, lines } = capture('debug');
    const stop = logTransportEvents('Mapper-abc', logger);
    const log = channel('catenae:kafka:log');
    log.publish({ clientId: 'Mapper-abc', client: 'consumer', severity: 3, facility: 'FAIL', message: 'Connect failed' });
    log.publish({ clientId: 'Mapper-abc-rpc', client: 'producer', severity: 7, facility: 'CGRPOP', message: 'op' });
    log.publish({ clientId: 'Other-def', client: 'consumer', severity: 3, facility: 'FAIL', message: 'not ours' });
    channel('catenae:kafka:client-error').publish({ clientId: 'Mapper-abc', client: 'producer', error: new Error('broker down') });
    stop();
    log.publish({ clientId: 'Mapper-abc', client: 'consumer', severity: 3, facility: 'FAIL', message: 'after stop' });
    assert.deepEqual(
      lines.map(({ level, message, facility }) => [level, message, facility]),
      [
        ['warn', 'consumer client [FAIL]: Connect failed', 'FAIL'],
        ['debug', 'producer client [CGRPOP]: op', 'CGRPOP'],
        ['warn', 'producer client: broker down', undefined],
      ],
    );
  });

  it('rate-limits a line repeated by a client retrying a dead broker: one line, then one per 30 s with the count', (t) => {
    t.mock.timers.enable({ apis: ['Date'] });
    const { logger, lines } = capture('info');
    const stop = logTransportEvents('Mapper-abc', logger);
    const errors = channel('catenae:kafka:client-error');
    const log = channel('catenae:kafka:log');
    for (let i = 0; i < 400; i++) {
      errors.publish({ clientId: 'Mapper-abc', client: 'consumer', error: new Error('all broker connections are down') });
      // librdkafka's own line differs in its timings and its own count of what it suppressed: still a repeat.
      const suppressed = i % 2 === 1 ? `, ${i} identical error(s) suppressed` : '';
      log.publish({ clientId: 'Mapper-abc', client: 'consumer', severity: 3, facility: 'FAIL', message: `localhost:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after ${i % 3}ms in state CONNECT${suppressed})` });
      t.mock.timers.tick(100);
    }
    stop();
    assert.deepEqual(
      lines.map(({ level, message }) => [level, message]),
      [
        ['warn', 'consumer client: all broker connections are down'],
        ['warn', 'consumer client [FAIL]: localhost:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after 0ms in state CONNECT)'],
        ['warn', 'consumer client: all broker connections are down (and 299 more like it in the last 30 s)'],
        ['warn', 'consumer client [FAIL]: localhost:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after 0ms in state CONNECT) (and 299 more like it in the last 30 s)'],
      ],
      '40 s of retries every 100 ms',
    );
  });

  it('at --log-level error a client retrying says nothing: its lines are warnings at most', () => {
    const { logger, lines } = capture('error');
    const stop = logTransportEvents('Mapper-abc', logger);
    channel('catenae:kafka:log').publish({ clientId: 'Mapper-abc', client: 'producer', severity: 3, facility: 'FAIL', message: 'Connect failed' });
    channel('catenae:kafka:log').publish({ clientId: 'Mapper-abc', client: 'producer', severity: 0, facility: 'ERROR', message: 'emergency' });
    channel('catenae:kafka:client-error').publish({ clientId: 'Mapper-abc', client: 'producer', error: new Error('all broker connections are down') });
    stop();
    assert.deepEqual(lines, []);
  });

  it('drops lines below the logger level', () => {
    const { logger, lines } = capture('info');
    const stop = logTransportEvents('Mapper-abc', logger);
    channel('catenae:kafka:log').publish({ clientId: 'Mapper-abc', client: 'consumer', severity: 7, facility: 'FETCH', message: 'noise' });
    stop();
    assert.deepEqual(lines, []);
  });
});
