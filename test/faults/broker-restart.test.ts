import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kafkaDown, kafkaUp } from '@catenae/kafka';
import { KAFKA, uniqueTopic } from '../support/catenae-process.js';
import { audit, createTopic, produceKeyed, readTopic, writtenCount, type KeyedValue } from '../support/kafka-admin.js';
import { FaultProcesses } from './fault-processes.js';
import { recordFigure } from './figures.js';
import { until } from './until.js';

const ELECTRONS = 60_000;
const KEYS = 100;
const PER_SECOND = 6000;
const processes = new FaultProcesses();

const distinct = (records: KeyedValue[]): number => new Set(records.map((r) => r.value)).size;

/** The port of the local broker the tests run against, or undefined when it is not on this machine. */
function localPort(): number | undefined {
  const match = /^(?:127\.0\.0\.1|localhost):(\d+)$/.exec(KAFKA);
  return match === null ? undefined : Number(match[1]);
}

describe('the broker stopped and restarted mid-stream, on the real broker', { timeout: 600_000 }, () => {
  const port = localPort();
  const skip = port === undefined && `KAFKA_BOOTSTRAP ${KAFKA} is not a local broker`;
  for (const [mode, flags] of [['async', []], ['exactly-once', ['--eos']]] as const) {
    it(`${mode}: nothing lost; the topology resumes by itself`, { skip }, async (t) => {
      const input = uniqueTopic('outage_in');
      const output = uniqueTopic('outage_out');
      await createTopic(input, 4);
      await createTopic(output, 4);
      const args = ['-i', input, '-o', output, '-g', uniqueTopic('outage_group'), '--uid', uniqueTopic('relay'), '--log-level', 'warn', ...flags];
      let relay = processes.run('relay', args);
      // A live stream: the source keeps producing through the outage (librdkafka queues and retries).
      const producing = produceKeyed(input, ELECTRONS, KEYS, { perSecond: PER_SECOND });
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
      // In --eos a transaction that fails stops the link, by design: its batch is read again when
      // it starts again, as a supervisor (a container's restart policy) would start it here.
      const restarts: string[] = [];
      let stopped: string | undefined;
      let records: KeyedValue[] = [];
      await until(async () => {
        if (relay.child.exitCode !== null) {
          const why = relay.stderr.filter((line) => line.startsWith('catenae:')).join(' ') || relay.stderr.slice(-5).join(' | ');
          if (mode !== 'exactly-once') stopped = `exit ${relay.child.exitCode}: ${why}`;
          if (stopped !== undefined) return true;
          restarts.push(why);
          relay = processes.run('relay', args);
        }
        records = await readTopic(output, (r) => distinct(r) >= ELECTRONS, { idleMs: 3000, timeoutMs: 30_000 });
        return distinct(records) >= ELECTRONS;
      }, 'every electron at the sink', 180_000).catch((err: Error) => {
        throw new Error(`${err.message}: ${distinct(records)} of ${ELECTRONS}; the relay's last lines:\n${relay.stderr.slice(-10).join('\n')}`);
      });
      assert.equal(stopped, undefined, 'the relay kept running');
      assert.equal(await relay.stop(), 0);
      const result = audit(ELECTRONS, KEYS, records);
      recordFigure(
        'broker stopped and restarted mid-stream',
        mode,
        `${ELECTRONS} keyed electrons at ${PER_SECOND}/s, broker stopping ${(stopMs / 1000).toFixed(1)} s, down ${(startMs / 1000).toFixed(1)} s: lost ${result.lost}, duplicated ${result.duplicated}, keys out of order ${result.keysOutOfOrder}, relay restarts ${restarts.length}${restarts.length > 0 ? ` (${restarts.join('; ')})` : ''}`,
      );
      assert.equal(result.lost, 0);
      if (mode === 'exactly-once') {
        assert.equal(result.duplicated, 0);
        assert.equal(result.keysOutOfOrder, 0);
      }
    });
  }
});
