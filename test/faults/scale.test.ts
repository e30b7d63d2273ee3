import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniqueTopic, type CatenaeProcess } from '../support/catenae-process.js';
import { audit, createTopic, produceKeyed, readTopic, writtenCount } from '../support/kafka-admin.js';
import { FaultProcesses } from './fault-processes.js';
import { recordFigure } from './figures.js';
import { until } from './until.js';

const ELECTRONS = 60_000;
const KEYS = 100;
const PARTITIONS = 6;
const PER_SECOND = 5000;
const processes = new FaultProcesses();

/** Resolves once the instance logged an assignment of at least one partition of `topic`. */
function assigned(instance: CatenaeProcess, topic: string): Promise<string> {
  return instance.waitFor((line) => line.includes('assigned') && line.includes(`${topic}[`), 60_000, `an assignment of ${topic}`);
}

describe('scaling a middle link 1 -> 3 -> 1 instances mid-stream, on the real broker', { timeout: 300_000 }, () => {
  for (const [mode, flags] of [['async', []], ['exactly-once', ['--eos']]] as const) {
    it(`${mode}: nothing lost while two instances join and leave (SIGTERM)`, async () => {
      const input = uniqueTopic('scale_in');
      const output = uniqueTopic('scale_out');
      await createTopic(input, PARTITIONS);
      await createTopic(output, PARTITIONS);
      const args = ['-i', input, '-o', output, '-g', uniqueTopic('scale_group'), '--log-level', 'info', ...flags];
      const first = processes.run('relay', args);
      const producing = produceKeyed(input, ELECTRONS, KEYS, { perSecond: PER_SECOND });
      await until(async () => (await writtenCount(output, PARTITIONS)) >= ELECTRONS / 6, 'a sixth of the electrons at the sink');
      const joined = [processes.run('relay', args), processes.run('relay', args)];
      await Promise.all(joined.map((instance) => assigned(instance, input)));
      const atScaleUp = await writtenCount(output, PARTITIONS);
      // The three instances share the stream for a while before two of them leave.
      await until(async () => (await writtenCount(output, PARTITIONS)) >= atScaleUp + ELECTRONS / 6, 'progress with three instances');
      const exits = await Promise.all(joined.map((instance) => instance.stop()));
      assert.deepEqual(exits, [0, 0], 'the leaving instances drained and exited cleanly');
      const atScaleDown = await writtenCount(output, PARTITIONS);
      await producing;
      const records = await readTopic(output, (r) => new Set(r.map((x) => x.value)).size >= ELECTRONS, { idleMs: 3000, timeoutMs: 180_000 });
      assert.equal(first.child.exitCode, null, 'the first instance kept running');
      assert.equal(await first.stop(), 0);
      const result = audit(ELECTRONS, KEYS, records);
      recordFigure(
        'scaling a middle link 1 -> 3 -> 1',
        mode,
        `${ELECTRONS} keyed electrons at ${PER_SECOND}/s, scaled up at ${atScaleUp} and down at ${atScaleDown} at the sink: lost ${result.lost}, duplicated ${result.duplicated}, keys out of order ${result.keysOutOfOrder}`,
      );
      assert.equal(result.lost, 0);
      if (mode === 'exactly-once') assert.equal(result.duplicated, 0);
    });
  }
});
