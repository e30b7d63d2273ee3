import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kafkaDown, kafkaUp } from '@catenae/kafka';
import { KAFKA, uniqueTopic } from '../support/catenae-process.js';
import { audit, createTopic, produceKeyed, readTopic, writtenCount } from '../support/kafka-admin.js';
import { FaultProcesses } from './fault-processes.js';
import { recordFigure } from './figures.js';
import { until } from './until.js';

const ELECTRONS = 60_000;
const KEYS = 100;
const PER_SECOND = 6000;
const processes = new FaultProcesses();

/** The port of the local broker the tests run against, or undefined when it is not on this machine. */
function localPort(): number | undefined {
  const match = /^(?:127\.0\.0\.1|localhost):(\d+)$/.exec(KAFKA);
  return match === null ? undefined : Number(match[1]);
}

describe('the broker stopped and restarted mid-stream, on the real broker', { timeout: 300_000 }, () => {
  const port = localPort();
  const skip = port === undefined && `KAFKA_BOOTSTRAP ${KAFKA} is not a local broker`;
  for (const [mode, flags] of [['async', []], ['exactly-once', ['--eos']]] as const) {
    it(`${mode}: nothing lost; the topology resumes by itself, without restarting a link`, { skip }, async (t) => {
      const input = uniqueTopic('outage_in');
      const output = uniqueTopic('outage_out');
      await createTopic(input, 4);
      await createTopic(output, 4);
      const relay = processes.run('relay', ['-i', input, '-o', output, '-g', uniqueTopic('outage_group'), '--log-level', 'warn', ...flags]);
      // A live stream: the source keeps producing through the outage (librdkafka queues and retries).
      const producing = produceKeyed(input, ELECTRONS, KEYS, PER_SECOND);
      await until(async () => (await writtenCount(output, 4)) >= ELECTRONS / 6, 'a sixth of the electrons at the sink');
      let [stopMs, startMs] = [0, 0];
      try {
        const stoppingAt = Date.now();
        if (!(await kafkaDown({ port }))) {
          t.skip(`the broker on port ${port} was not started by "catenae kafka up"`);
          return;
        }
        const stoppedAt = Date.now();
        await kafkaUp({ port });
        [stopMs, startMs] = [stoppedAt - stoppingAt, Date.now() - stoppedAt];
      } finally {
        // Up again whatever happened: the next test files need it.
        await kafkaUp({ port });
      }
      await producing;
      const records = await readTopic(output, (r) => new Set(r.map((x) => x.value)).size >= ELECTRONS, 3000, 180_000);
      assert.equal(relay.child.exitCode, null, `the relay kept running; stderr:\n${relay.stderr.slice(-20).join('\n')}`);
      assert.equal(await relay.stop(), 0);
      const result = audit(ELECTRONS, KEYS, records);
      recordFigure(
        'broker stopped and restarted mid-stream',
        mode,
        `${ELECTRONS} keyed electrons at ${PER_SECOND}/s, broker stopping ${(stopMs / 1000).toFixed(1)} s, down ${(startMs / 1000).toFixed(1)} s: lost ${result.lost}, duplicated ${result.duplicated}, keys out of order ${result.keysOutOfOrder}`,
      );
      assert.equal(result.lost, 0);
      if (mode === 'exactly-once') {
        assert.equal(result.duplicated, 0);
        assert.equal(result.keysOutOfOrder, 0);
      }
    });
  }
});
