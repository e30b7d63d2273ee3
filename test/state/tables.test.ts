import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defineLink, startLink, type LinkHandle } from '@catenae/core';
import '@catenae/kafka';
import { CatenaeProcess, KAFKA, uniqueTopic } from '../support/catenae-process.js';
import { createTopic, produceKeyed, readTopic } from '../support/kafka-admin.js';

const KEYS = 200;
const PER_KEY = 25;
const stateRoot = mkdtempSync(join(tmpdir(), 'catenae-e2e-state-'));
const running: CatenaeProcess[] = [];
after(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  rmSync(stateRoot, { recursive: true, force: true });
});

function counter(args: string[]): CatenaeProcess {
  const p = CatenaeProcess.run('counter', [...args, '--log-level', process.env.TABLES_LOG_LEVEL ?? 'info'], { COUNTER_LINK_NAME: 'KeyedCounter' }, 'faults');
  running.push(p);
  return p;
}

/** A link in this process that only calls others. */
async function caller(): Promise<LinkHandle> {
  return startLink(defineLink({ name: uniqueTopic('Asker'), rpc: {} }), { kafka: KAFKA, logLevel: 'warn' });
}

async function askAll(asker: LinkHandle, timeoutMs: number): Promise<number[]> {
  return Promise.all(Array.from({ length: KEYS }, (_, k) => asker.ctx.rpc.call<number>({ link: 'KeyedCounter', key: `k${k}` }, 'countOf', `k${k}`, { timeoutMs })));
}

describe('tables on Kafka, with catenae run', { timeout: 300_000 }, () => {
  it('two instances share the keys; calls by key reach the owner, also while a third joins and leaves', async () => {
    const input = uniqueTopic('tables_e2e_in');
    const output = uniqueTopic('tables_e2e_out');
    await createTopic(input, 4);
    await createTopic(output, 4);
    await produceKeyed(input, KEYS * PER_KEY, KEYS);
    const group = uniqueTopic('tables_e2e');
    // Exactly-once, so the counts are exact by design whatever the machine's load does to a rebalance
    // (at least once may count an electron twice when a revoke cannot finish in time).
    const args = (n: number) => ['-i', input, '-o', output, '-g', group, '--state-dir', join(stateRoot, String(n)), '--eos'];
    const instances = [counter(args(0)), counter(args(1))];
    const records = await readTopic(output, (r) => r.filter((x) => x.value === String(PER_KEY)).length >= KEYS, 2000, 120_000);
    const last = new Map(records.map((r) => [r.key, r.value]));
    const logs = () => instances.map((p, i) => `--- instance ${i}:\n${p.stderr.slice(-40).join('\n')}`).join('\n');
    assert.equal(last.size, KEYS);
    for (const value of last.values()) assert.equal(value, String(PER_KEY), logs());
    const asker = await caller();
    try {
      assert.deepEqual(await askAll(asker, 30_000), new Array(KEYS).fill(PER_KEY), 'before the third instance');
      // A third instance joins: partitions move, restored from the changelogs, and calls made
      // meanwhile wait for the new owner.
      const third = counter(args(2));
      running.push(third);
      const during = askAll(asker, 60_000);
      await third.waitFor((line) => line.includes('assigned') && line.includes(`${input}[`), 60_000, 'an assignment of the third instance');
      assert.deepEqual(await during, new Array(KEYS).fill(PER_KEY), 'while the third joins');
      assert.deepEqual(await askAll(asker, 30_000), new Array(KEYS).fill(PER_KEY), 'with three instances');
      assert.equal(await third.stop(), 0);
      assert.deepEqual(await askAll(asker, 60_000), new Array(KEYS).fill(PER_KEY), 'after the third left');
    } finally {
      await asker.stop();
    }
    assert.deepEqual(await Promise.all(instances.map((p) => p.stop())), [0, 0]);
  });
});
