import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { uniqueTopic, type CatenaeProcess } from '../support/catenae-process.js';
import { createTopic, produceKeyed, readTopic, writtenCount, type KeyedValue } from '../support/kafka-admin.js';
import { FaultProcesses } from './fault-processes.js';
import { recordFigure } from './figures.js';
import { until } from './until.js';

const ELECTRONS = 100_000;
const KEYS = 1000;
const PARTITIONS = 4;
const processes = new FaultProcesses();
const stateRoot = mkdtempSync(join(tmpdir(), 'catenae-fault-state-'));
after(() => rmSync(stateRoot, { recursive: true, force: true }));

// As in kill-restart: a killed member's partitions move on after a 6 s session timeout.
function counter(args: string[]): CatenaeProcess {
  return processes.run('counter', [...args, '--log-level', 'debug', '--kafka-config', 'session.timeout.ms=6000']);
}

/** The last count each key reached at the sink, and how far from its input count. */
function countsAt(records: readonly KeyedValue[], perKey: number): { below: number; above: number; exact: number } {
  const last = new Map<string, number>();
  for (const { key, value } of records) last.set(key!, Number(value));
  let below = KEYS - last.size;
  let above = 0;
  for (const n of last.values()) {
    if (n < perKey) below++;
    else if (n > perKey) above++;
  }
  return { below, above, exact: KEYS - below - above };
}

/** Changelog records the instance read at its start, from its `restored ...` line. */
function restoredRecords(instance: CatenaeProcess): number {
  const line = [...instance.stdout, ...instance.stderr].find((l) => /restored \d+ table shard/.test(l));
  return Number(/: (\d+) changelog record/.exec(line ?? '')?.[1] ?? NaN);
}

const settled = (perKey: number) => (records: KeyedValue[]) => {
  const last = new Map<string, number>();
  for (const { key, value } of records) last.set(key!, Number(value));
  return last.size === KEYS && [...last.values()].every((n) => n >= perKey);
};

describe('a counting link with a table, on the real broker', { timeout: 600_000 }, () => {
  for (const [mode, flags] of [
    ['async', []],
    ['sequential', ['--seq']],
    ['synchronous', ['--sync']],
    ['exactly-once', ['--eos']],
  ] as const) {
    it(`${mode}: kill -9 mid-stream and a restart leave every count exact`, async () => {
      const input = uniqueTopic(`tables_kill_${mode}_in`);
      const output = uniqueTopic(`tables_kill_${mode}_out`);
      await createTopic(input, PARTITIONS);
      await createTopic(output, PARTITIONS);
      await produceKeyed(input, ELECTRONS, KEYS);
      // The restart keeps the uid (as a container its $HOSTNAME) and the state directory.
      const args = ['-i', input, '-o', output, '-g', uniqueTopic(`tables_kill_${mode}`), '--uid', uniqueTopic('counter'), '--state-dir', join(stateRoot, mode), ...flags];
      const first = counter(args);
      await until(async () => (await writtenCount(output, PARTITIONS)) >= ELECTRONS / 2, 'half of the counts at the sink');
      first.child.kill('SIGKILL');
      await first.exited;
      const changelog = await writtenCount(`${args[5]}.counts.changelog`, PARTITIONS);
      const second = counter(args);
      const records = await readTopic(output, settled(ELECTRONS / KEYS), { idleMs: 3000, timeoutMs: 300_000 });
      assert.equal(await second.stop(), 0);
      const counts = countsAt(records, ELECTRONS / KEYS);
      const replayed = restoredRecords(second);
      recordFigure(
        'kill -9 of a counting link with a table, then a restart',
        mode,
        `${ELECTRONS} electrons over ${KEYS} keys: ${counts.exact} counts exact, ${counts.above} above, ${counts.below} below; the restart replayed ${replayed} of ${changelog} changelog records (the rest from its local store)`,
      );
      // Exact in every mode: a restore skips the input its changelog already reflects.
      assert.equal(counts.below, 0);
      assert.equal(counts.above, 0);
      assert.ok(replayed <= changelog, `replayed ${replayed} of ${changelog}`);
    });
  }

  for (const [mode, flags] of [
    ['async', []],
    ['exactly-once', ['--eos']],
  ] as const) {
    it(`${mode}: scaling 1 -> 3 -> 1 mid-stream leaves every count ${mode === 'exactly-once' ? 'exact' : 'at or above its input'}`, async () => {
      const electrons = 60_000;
      const perSecond = 5000;
      const input = uniqueTopic('tables_scale_in');
      const output = uniqueTopic('tables_scale_out');
      await createTopic(input, 6);
      await createTopic(output, 6);
      const group = uniqueTopic(`tables_scale_${mode}`);
      // Each instance its own state directory, as on three machines.
      const args = (n: number) => ['-i', input, '-o', output, '-g', group, '--state-dir', join(stateRoot, `scale-${mode}-${n}`), ...flags];
      const first = counter(args(0));
      // A third of the input before the scale-up, the rest after it: however long the instances
      // take to start and join, the three of them find input to share, and leave mid-stream.
      const before = electrons / 3;
      const producingBefore = produceKeyed(input, before, KEYS, { perSecond });
      await until(async () => (await writtenCount(output, 6)) >= electrons / 6, 'a sixth of the counts at the sink');
      const joined = [counter(args(1)), counter(args(2))];
      await Promise.all(joined.map((instance) => instance.waitFor((line) => line.includes('assigned') && line.includes(`${input}[`), 60_000, 'an assignment')));
      await producingBefore;
      const atScaleUp = await writtenCount(output, 6);
      const producingAfter = produceKeyed(input, electrons - before, KEYS, { perSecond });
      await until(async () => (await writtenCount(output, 6)) >= atScaleUp + electrons / 6, 'progress with three instances');
      assert.deepEqual(await Promise.all(joined.map((instance) => instance.stop())), [0, 0], 'the leaving instances handed their shards back and exited cleanly');
      await producingAfter;
      const records = await readTopic(output, settled(electrons / KEYS), { idleMs: 3000, timeoutMs: 240_000 });
      assert.equal(first.child.exitCode, null, 'the first instance kept running');
      assert.equal(await first.stop(), 0);
      const counts = countsAt(records, electrons / KEYS);
      recordFigure('scaling a counting link with a table 1 -> 3 -> 1', mode, `${electrons} electrons over ${KEYS} keys at ${perSecond}/s: ${counts.exact} counts exact, ${counts.above} above, ${counts.below} below`);
      assert.equal(counts.below, 0);
      if (mode === 'exactly-once') assert.equal(counts.above, 0);
    });
  }
});
