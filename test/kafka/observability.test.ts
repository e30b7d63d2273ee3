import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CatenaeProcess, uniqueTopic } from '../support/catenae-process.js';
import { createTopic } from '../support/kafka-admin.js';
import { producePlain } from '../support/plain-kafka.js';
import { freePort, scrape, sample, sumOf } from '../support/metrics.js';

const running: CatenaeProcess[] = [];
after(async () => {
  await Promise.all(running.map((process) => process.stop()));
});

describe('running in production, on a real Kafka broker', () => {
  it('serves readiness, counts and per-partition consumer lag on --metrics-port, and logs JSON lines (librdkafka\'s too) carrying link and uid', async () => {
    const input = uniqueTopic('obs_in');
    await createTopic(input, 4);
    await producePlain(input, Array.from({ length: 400 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })));
    const port = await freePort();
    const slow = CatenaeProcess.run(
      'slow',
      ['-i', input, '--seq', '--uid', 'obs000000001', '--metrics-port', String(port), '--log-format', 'json', '--log-level', 'debug', '--kafka-config', 'statistics.interval.ms=200', '--kafka-config', 'debug=cgrp'],
      {},
      'kafka',
    );
    running.push(slow);
    // 400 electrons at 10 ms each, one at a time: about 4 s during which the lag is visible.
    let sawLag = 0;
    const deadline = Date.now() + 60_000;
    let text = '';
    while (Date.now() < deadline) {
      text = (await scrape(port).catch(() => ({ status: 0, body: '' }))).body;
      sawLag = Math.max(sawLag, sumOf(text, 'catenae_consumer_lag', { link: 'Slow', topic: input }));
      const lagSeries = text.split('\n').filter((line) => line.startsWith('catenae_consumer_lag{') && line.includes(input)).length;
      if (lagSeries === 4 && sumOf(text, 'catenae_consumer_lag', { link: 'Slow', topic: input }) === 0 && sawLag > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(sawLag > 0, 'a lag was seen while the backlog drained');
    assert.equal(sample(text, 'catenae_electrons_in_total', { link: 'Slow', topic: input }), 400);
    assert.equal(sample(text, 'catenae_handler_duration_seconds_count', { link: 'Slow' }), 400);
    assert.equal(sumOf(text, 'catenae_consumer_lag', { link: 'Slow', topic: input }), 0, 'no lag once everything was handled and committed');
    assert.equal(text.split('\n').filter((line) => line.startsWith('catenae_consumer_lag{') && line.includes(input)).length, 4, 'one lag series per partition');
    assert.equal((await scrape(port, '/ready')).status, 200);
    assert.equal((await scrape(port, '/health')).status, 200);
    assert.equal(await slow.stop(), 0);
    const lines = slow.stderr.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(lines.length > 0);
    assert.ok(lines.every((line) => line['link'] === 'Slow' && line['uid'] === 'obs000000001' && typeof line['level'] === 'string' && typeof line['timestamp'] === 'string'));
    assert.ok(lines.some((line) => typeof line['facility'] === 'string' && line['level'] === 'debug'), "librdkafka's debug lines (debug=cgrp) reach the log");
    assert.ok(lines.some((line) => String(line['message']).startsWith('serving /metrics')));
  });
});
