import assert from 'node:assert/strict';
import { uniqueTopic } from '../support/catenae-process.js';
import { auditAll, ClusterTopology, type Mode } from './cluster-topology.js';
import { countOutcomes, describeByTarget, RpcProbe, type CallOutcome } from './cluster-rpc-probe.js';
import type { FaultProcesses } from './fault-processes.js';
import { progress, recordFigure } from './figures.js';
import type { LocalCluster } from './local-cluster.js';

const ELECTRONS = 100_000;
/** Per mode; a mode runs alone. */
const PER_SECOND = 3000;
const RPC_TIMEOUT_MS = 5000;
const CALL_EVERY_MS = 100;
/** Calls are made until this long after the kill, and at least {@link CAUGHT_UP_WINDOW_MS} after the counter caught up. */
const RPC_WINDOW_MS = 75_000;
/** Calls made this long after the kill (to the end of the window) must all be answered: new leaders and group coordinators have taken over by then. */
const RECOVERED_AFTER_MS = 60_000;
/**
 * A call by key is an electron of its partition: it waits behind the backlog the stall left, so
 * calls by key are held to be answered only from when the counter has caught up with its input
 * (and 60 s after the kill), for this long at least.
 */
const CAUGHT_UP_WINDOW_MS = 15_000;

/**
 * One topology per mode in `modes` at once, every partition of their topics (and of the first
 * counter's RPC topics and the caller's inbox) led by node `victim`; it is killed with SIGKILL once
 * a fifth of every stream went through, while a caller in the test process calls the first counter
 * every 100 ms by link and by key. Records the figures; fails naming every broken promise.
 */
export async function leaderKill(cluster: LocalCluster, processes: FaultProcesses, victim: number, modes: readonly Mode[]): Promise<void> {
  const topologies = modes.map((mode) => new ClusterTopology(cluster, processes, mode));
  const [callee] = topologies as [ClusterTopology];
  const [counterUid, callerUid] = [uniqueTopic('counter'), uniqueTopic('caller')];
  const rpcTopics = {
    [`catenae.rpc.link.${callee.counterName}.call`]: 4,
    [`catenae.rpc.link.${callee.counterName}.keyed`]: 4,
    [`catenae.rpc.instance.${counterUid}`]: 1,
    [`catenae.rpc.instance.${callerUid}`]: 1,
  };
  await cluster.createLedBy(victim, Object.assign({}, rpcTopics, ...topologies.map((t) => t.topics)));
  await Promise.all(topologies.map((t) => t.start(t === callee ? ['--uid', counterUid] : [])));
  const probe = await RpcProbe.start(cluster.bootstrap, callerUid, callee.counterName, 'countOf', RPC_TIMEOUT_MS, CALL_EVERY_MS);
  try {
    await killUnderLoad(cluster, topologies, probe, victim, Object.keys(rpcTopics));
  } finally {
    await probe.stop();
  }
}

async function killUnderLoad(cluster: LocalCluster, topologies: ClusterTopology[], probe: RpcProbe, victim: number, rpcTopics: string[]): Promise<void> {
  const producing = Promise.all(topologies.map((t) => t.produce(ELECTRONS, PER_SECOND)));
  let killedAt = 0;
  const before: number[] = [];
  let stalls: number[] = [];
  try {
    await Promise.all(topologies.map((t) => t.relayedAtLeast(ELECTRONS / 5, 'a fifth of the electrons through the relay')));
    const streamTopics = topologies.flatMap((t) => Object.keys(t.topics));
    const leaders = await cluster.leaders(...streamTopics, ...rpcTopics);
    assert.equal(leaders.get(victim), streamTopics.length * 4 + 10, `node ${victim} leads every partition: ${JSON.stringify([...leaders])}`);
    before.push(...(await Promise.all(topologies.map((t) => t.relayed()))));
    killedAt = Date.now();
    progress(`leader kill: killing node ${victim}`);
    await cluster.kill(victim);
    stalls = await Promise.all(topologies.map((t, i) => t.stallMs(killedAt, before[i]!)));
    progress('leader kill: every stream moves again');
    await producing;
    progress('leader kill: every electron produced');
  } finally {
    await producing.catch(() => undefined);
  }
  let outcomes: CallOutcome[] = [];
  let [caughtUpAt, windowEnd] = [0, 0];
  const broken = await auditAll(
    topologies,
    ELECTRONS,
    'cluster: the leader of every partition killed (SIGKILL) mid-stream',
    (t) => {
      const i = topologies.indexOf(t);
      return `${ELECTRONS} keyed electrons at ${PER_SECOND}/s (${topologies.length === 1 ? 'this mode alone' : `${topologies.length} modes at once`}) through relay and counter, node ${victim} killed at ${before[i]} relayed, writes stalled ${(stalls[i]! / 1000).toFixed(1)} s`;
    },
    // Run once the sinks have been read (the counter has handled its whole input): the calls end
    // (and settle) before the links stop, their window has closed by then.
    async () => {
      caughtUpAt = Date.now();
      windowEnd = Math.max(killedAt + RPC_WINDOW_MS, caughtUpAt + CAUGHT_UP_WINDOW_MS);
      if (Date.now() < windowEnd) await new Promise((resolve) => setTimeout(resolve, windowEnd - Date.now()));
      outcomes = await probe.stop();
    },
  );
  const counts = countOutcomes(outcomes);
  const afterKill = outcomes.filter((o) => o.issuedAt >= killedAt);
  const firstAnswer = afterKill.find((o) => o.result === 'answered');
  const recovered = (o: CallOutcome): number => (o.target === 'by link' ? killedAt + RECOVERED_AFTER_MS : Math.max(killedAt + RECOVERED_AFTER_MS, caughtUpAt));
  const late = outcomes.filter((o) => o.issuedAt >= recovered(o) && o.issuedAt < windowEnd);
  const lateFrom = `${RECOVERED_AFTER_MS / 1000} s after the kill (by key: and after the counter caught up, ${((caughtUpAt - killedAt) / 1000).toFixed(0)} s after it)`;
  recordFigure(
    'cluster: RPC calls while a broker dies (SIGKILL)',
    `call by link and by key, ${RPC_TIMEOUT_MS / 1000} s timeout, every ${CALL_EVERY_MS} ms`,
    `${outcomes.length} calls, node ${victim} (leading every RPC topic) killed: ${[...counts.entries()].map(([result, n]) => `${n} ${result}`).join(', ')}; ` +
      `slowest settled in ${Math.max(...outcomes.map((o) => o.settledMs ?? Infinity))} ms; ` +
      `first answer to a call made after the kill ${firstAnswer ? `${((firstAnswer.issuedAt + firstAnswer.settledMs! - killedAt) / 1000).toFixed(1)} s after it` : 'never'}; ` +
      `calls made from ${lateFrom} to ${((windowEnd - killedAt) / 1000).toFixed(0)} s: ${late.filter((o) => o.result === 'answered').length} of ${late.length} answered`,
  );
  assert.deepEqual(broken, {}, 'every mode kept its promises');
  assert.equal(counts.get('hung') ?? 0, 0, 'no call hangs');
  assert.deepEqual([...counts.keys()].filter((r) => r !== 'answered' && r !== 'timeout' && !r.startsWith('refused ')), [], 'an answer, an error reply or CATENAE_RPC_TIMEOUT, nothing else');
  assert.ok(late.length > 0 && late.every((o) => o.result === 'answered'), `calls are answered again once new leaders took over; calls made from ${lateFrom}: ${describeByTarget(late)}`);
}
