import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { uniqueTopic, type CatenaeProcess } from '../support/catenae-process.js';
import { audit, createTopic, produceKeyed, readTopic, writtenCount } from '../support/kafka-admin.js';
import { FaultProcesses } from './fault-processes.js';
import { recordFigure } from './figures.js';
import { until } from './until.js';

const ELECTRONS = 100_000;
const KEYS = 100;
const processes = new FaultProcesses();
/** Longer than the 6-s group session the relays run with. */
const PAUSE_MS = 12_000;

// The group hands a killed member's partitions on once its session times out: 6 s (the broker's
// minimum) instead of librdkafka's 45 s keeps each test short; what is lost does not depend on it.
function relay(args: string[]): CatenaeProcess {
  return processes.run('relay', [...args, '--log-level', 'warn', '--kafka-config', 'session.timeout.ms=6000']);
}

/**
 * 100k keyed electrons wait on the input; a relay in `mode` starts, is killed with SIGKILL once a
 * fifth of them came out, and a new one takes over. Counts what the sink lost and got twice.
 */
async function killAndRestart(mode: string, flags: string[]) {
  const input = uniqueTopic(`kill_${mode}_in`);
  const output = uniqueTopic(`kill_${mode}_out`);
  await createTopic(input, 4);
  await createTopic(output, 4);
  await produceKeyed(input, ELECTRONS, KEYS);
  const group = uniqueTopic(`kill_${mode}_group`);
  const first = relay(['-i', input, '-o', output, '-g', group, ...flags]);
  await until(async () => (await writtenCount(output, 4)) >= ELECTRONS / 5, 'a fifth of the electrons at the sink');
  first.child.kill('SIGKILL');
  await first.exited;
  const second = relay(['-i', input, '-o', output, '-g', group, ...flags]);
  const records = await readTopic(output, (r) => new Set(r.map((x) => x.value)).size >= ELECTRONS, { idleMs: 3000, timeoutMs: 300_000 });
  assert.equal(await second.stop(), 0);
  const result = audit(ELECTRONS, KEYS, records);
  recordFigure('kill -9 of a middle link, then a restart', mode, `${ELECTRONS} keyed electrons: lost ${result.lost}, duplicated ${result.duplicated}, keys out of order ${result.keysOutOfOrder}`);
  return result;
}

describe('kill -9 of a middle link, then a restart, on the real broker', () => {
  it('async: nothing lost', async () => {
    const { lost } = await killAndRestart('async', []);
    assert.equal(lost, 0);
  });

  it('sequential: nothing lost, every key in order', async () => {
    const { lost, keysOutOfOrder } = await killAndRestart('sequential', ['--seq']);
    assert.equal(lost, 0);
    assert.equal(keysOutOfOrder, 0);
  });

  it('synchronous: nothing lost, every key in order', async () => {
    const { lost, keysOutOfOrder } = await killAndRestart('synchronous', ['--sync']);
    assert.equal(lost, 0);
    assert.equal(keysOutOfOrder, 0);
  });

  // The restarted instance keeps the killed one's uid (as a container keeps its $HOSTNAME), so
  // its transactional.id fences the dead producer and aborts the transaction it left open.
  it('exactly-once: nothing lost, nothing duplicated, every key in order', async () => {
    const { lost, duplicated, keysOutOfOrder } = await killAndRestart('exactly-once', ['--eos', '--uid', uniqueTopic('relay')]);
    assert.equal(lost, 0);
    assert.equal(duplicated, 0);
    assert.equal(keysOutOfOrder, 0);
  });

  // A member frozen past its group session (a stalled host or VM, a cluster that lost its
  // heartbeats) finds its open transaction refused when it wakes, its partitions already going
  // back to the group: it aborts the transaction and goes on from the last committed one, without
  // a restart. The pause is the fault itself, longer than the session (6 s).
  it('exactly-once, paused past its group session and resumed: it aborts, rejoins and goes on; nothing lost, nothing duplicated', async () => {
    const input = uniqueTopic('pause_eos_in');
    const output = uniqueTopic('pause_eos_out');
    await createTopic(input, 4);
    await createTopic(output, 4);
    await produceKeyed(input, ELECTRONS, KEYS);
    const link = relay(['-i', input, '-o', output, '-g', uniqueTopic('pause_eos_group'), '--eos', '--uid', uniqueTopic('relay')]);
    await until(async () => (await writtenCount(output, 4)) >= ELECTRONS / 5, 'a fifth of the electrons at the sink');
    link.child.kill('SIGSTOP');
    await sleep(PAUSE_MS);
    link.child.kill('SIGCONT');
    const records = await readTopic(output, (r) => new Set(r.map((x) => x.value)).size >= ELECTRONS, { idleMs: 3000, timeoutMs: 300_000 });
    const handedBack = link.stderr.filter((line) => line.includes('went back to the group')).length;
    assert.equal(link.child.exitCode, null, `the link kept running:\n${link.stderr.slice(-10).join('\n')}`);
    assert.equal(await link.stop(), 0);
    const result = audit(ELECTRONS, KEYS, records);
    recordFigure('exactly-once link paused (SIGSTOP) past its group session, then resumed', `${PAUSE_MS / 1000} s pause, 6 s session`, `${ELECTRONS} keyed electrons: lost ${result.lost}, duplicated ${result.duplicated}, keys out of order ${result.keysOutOfOrder}; transactions aborted and handed back: ${handedBack}; no restart`);
    assert.equal(result.lost, 0);
    assert.equal(result.duplicated, 0);
    assert.equal(result.keysOutOfOrder, 0);
  });

  it('async with --workers 2: nothing lost', async () => {
    const { lost } = await killAndRestart('async-workers', ['--workers', '2']);
    assert.equal(lost, 0);
  });

  it('sequential with --workers 2: nothing lost, every key in order', async () => {
    const { lost, keysOutOfOrder } = await killAndRestart('sequential-workers', ['--seq', '--workers', '2']);
    assert.equal(lost, 0);
    assert.equal(keysOutOfOrder, 0);
  });
});
