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
        ['error', 'consumer client [FAIL]: Connect failed', 'FAIL'],
        ['debug', 'producer client [CGRPOP]: op', 'CGRPOP'],
        ['warn', 'producer client: broker down', undefined],
      ],
    );
  });

  it('drops lines below the logger level', () => {
    const { logger, lines } = capture('info');
    const stop = logTransportEvents('Mapper-abc', logger);
    channel('catenae:kafka:log').publish({ clientId: 'Mapper-abc', client: 'consumer', severity: 7, facility: 'FETCH', message: 'noise' });
    stop();
    assert.deepEqual(lines, []);
  });
});
