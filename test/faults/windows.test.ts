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

const ELECTRONS = 60_000;
const KEYS = 100;
const SPACING_MS = 60;
const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 1);
const KEEP_FOREVER = { 'retention.ms': '-1' };
const processes = new FaultProcesses();
const stateRoot = mkdtempSync(join(tmpdir(), 'catenae-fault-windows-'));
after(() => rmSync(stateRoot, { recursive: true, force: true }));

/** Every window's right count: `<key>@<window start>` -> count, over the electrons produceTimed makes. */
function expectedCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < ELECTRONS; i++) {
    const window = Math.floor((START + i * SPACING_MS) / MINUTE) * MINUTE;
    const id = `k${i % KEYS}@${window}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Final results checked against the right counts: windows missing, emitted twice, or with a wrong value. */
function auditWindows(records: readonly KeyedValue[], expected: Map<string, number>): { missing: number; duplicated: number; wrong: number } {
  const seen = new Map<string, number>();
  let wrong = 0;
  for (const { value } of records) {
    const [id, count] = value.split('=') as [string, string];
    if (expected.has(id) && expected.get(id) !== Number(count)) wrong++;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  let missing = 0;
  let duplicated = 0;
  for (const id of expected.keys()) {
    const times = seen.get(id) ?? 0;
    if (times === 0) missing++;
    else duplicated += times - 1;
  }
  return { missing, duplicated, wrong };
}

describe('a windowed counting link, on the real broker', { timeout: 600_000 }, () => {
  for (const [mode, flags] of [
    ['async', []],
    ['sequential', ['--seq']],
    ['synchronous', ['--sync']],
    ['exactly-once', ['--eos']],
  ] as const) {
    it(`${mode}: kill -9 mid-stream and a restart emit every window's final count ${mode === 'exactly-once' ? 'once' : 'at least once'}, never a wrong one`, async () => {
      const input = uniqueTopic(`windows_kill_${mode}_in`);
      const output = uniqueTopic(`windows_kill_${mode}_out`);
      // The electrons carry event times of January 2026: a topic with the broker's default retention
      // (7 days by record time) would lose them at its next retention check, mid-test.
      await createTopic(input, 4, KEEP_FOREVER);
      await createTopic(output, 4);
      await produceKeyed(input, ELECTRONS, KEYS, undefined, { start: START, spacingMs: SPACING_MS });
      // One electron per key an hour after the rest: event time passes every window of the stream.
      await produceKeyed(input, KEYS, KEYS, undefined, { start: START + ELECTRONS * SPACING_MS + 60 * MINUTE, spacingMs: 0 });
      const expected = expectedCounts();
      const args = ['-i', input, '-o', output, '-g', uniqueTopic(`windows_kill_${mode}`), '--uid', uniqueTopic('windows'), '--state-dir', join(stateRoot, mode), '--log-level', 'warn', '--kafka-config', 'session.timeout.ms=6000', ...flags];
      const first = processes.run('window-counter', args);
      await until(async () => (await writtenCount(output, 4)) >= expected.size / 3, 'a third of the final results');
      first.child.kill('SIGKILL');
      await first.exited;
      const second: CatenaeProcess = processes.run('window-counter', args);
      const records = await readTopic(output, (r) => new Set(r.map((x) => x.value.split('=')[0])).size >= expected.size, 3000, 300_000);
      assert.equal(await second.stop(), 0);
      const result = auditWindows(records, expected);
      recordFigure(
        'kill -9 of a windowed counting link, then a restart',
        mode,
        `${ELECTRONS} electrons over ${KEYS} keys in 1-minute windows (${expected.size} windows): missing ${result.missing}, emitted twice ${result.duplicated}, wrong values ${result.wrong}`,
      );
      assert.equal(result.missing, 0);
      assert.equal(result.wrong, 0);
      if (mode === 'exactly-once') assert.equal(result.duplicated, 0);
    });
  }
});
