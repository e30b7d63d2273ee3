import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import winston from 'winston';
import { AssignmentWait } from './assignment-wait.js';
import { until } from '../testing/fixtures/until.js';

function capture(): { logger: winston.Logger; lines: { message: string; group?: string; waitedMs?: number }[] } {
  const lines: { message: string }[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info, _encoding, done) {
      lines.push(info as { message: string });
      done();
    },
  });
  return { logger: winston.createLogger({ level: 'info', transports: [new winston.transports.Stream({ stream })] }), lines };
}

describe('AssignmentWait', () => {
  it('says why a link waits for its partitions, then how long it waited', async () => {
    const { logger, lines } = capture();
    const wait = new AssignmentWait(logger, 'catenae_mapper', 20);
    wait.start();
    await until(() => lines.length === 1, 'the notice');
    assert.match(lines[0]!.message, /^no partitions assigned yet after \d+\.\d s: group catenae_mapper is rebalancing/);
    assert.match(lines[0]!.message, /holds its partitions until its session times out \(session\.timeout\.ms, 45 s by default on Kafka\)$/);
    assert.equal(lines[0]!.group, 'catenae_mapper');
    wait.assigned();
    assert.match(lines[1]!.message, /^got partitions of group catenae_mapper after \d+\.\d s$/);
    assert.ok(lines[1]!.waitedMs! >= 20);
  });

  it('says nothing when the partitions come in time, or after a stop', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const { logger, lines } = capture();
    const quick = new AssignmentWait(logger, 'g', 5000);
    quick.start();
    t.mock.timers.tick(4999);
    quick.assigned();
    const stopped = new AssignmentWait(logger, 'g', 5000);
    stopped.start();
    stopped.stop();
    t.mock.timers.tick(60_000);
    stopped.assigned();
    assert.deepEqual(lines, []);
  });

  it('repeats the notice every 30 s while it waits', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const { logger, lines } = capture();
    const wait = new AssignmentWait(logger, 'g', 5000);
    wait.start();
    for (const step of [5000, 30_000, 30_000]) t.mock.timers.tick(step);
    assert.deepEqual(lines.map((line) => line.waitedMs), [5000, 35_000, 65_000]);
    wait.stop();
  });
});
