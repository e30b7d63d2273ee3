import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ExitCode } from '@catenae/core';
import { CatenaeProcess, KAFKA, uniqueTopic } from '../support/catenae-process.js';
import { consumePlain, producePlain } from '../support/plain-kafka.js';

const running: CatenaeProcess[] = [];
after(async () => {
  await Promise.all(running.map((process) => process.stop()));
});

/** `catenae <args> -k KAFKA` to its end: exit code and output. */
async function catenae(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string[]; err: string[] }> {
  const process = new CatenaeProcess([...args, '-k', KAFKA], env);
  const code = await process.exited;
  return { code, out: process.stdout, err: process.stderr };
}

function startLink(fixture: string, args: string[], env?: NodeJS.ProcessEnv): CatenaeProcess {
  const process = CatenaeProcess.run(fixture, args, env);
  running.push(process);
  return process;
}

describe('catenae topics, rpc and dlq on a real broker', { timeout: 240_000 }, () => {
  it('catenae topics creates topics with a partition count and lists them', async () => {
    const topic = uniqueTopic('cli_topics');
    const created = await catenae(['topics', 'create', topic, '--partitions', '3', '--config', 'retention.ms=3600000']);
    assert.equal(created.code, 0, created.err.join('\n'));
    assert.deepEqual(created.out, [`created ${topic} (3 partitions)`]);
    const again = await catenae(['topics', 'create', topic, '--partitions', '5']);
    assert.deepEqual(again.out, [`${topic} exists already (3 partitions): left as it is`]);
    const listed = await catenae(['topics']);
    assert.equal(listed.code, 0);
    assert.match(listed.out[0]!, /^topic +partitions$/);
    assert.ok(listed.out.some((line) => new RegExp(`^${topic} +3$`).test(line)), listed.out.join('\n'));
    assert.ok(!listed.out.some((line) => line.startsWith('catenae.rpc.') || line.startsWith('__')), 'RPC and internal topics only with --all');
    const unreachable = await new CatenaeProcess(['topics', '-k', '127.0.0.1:1']).exited;
    assert.equal(unreachable, ExitCode.Broker);
  });

  it('catenae rpc calls a method of a running link and prints its result; --notify, uid:, errors and timeouts', async () => {
    const uid = `cli-rpc-${Math.random().toString(36).slice(2, 8)}`;
    const worker = startLink('rpc-worker', ['--uid', uid]);
    await worker.waitFor((line) => line.includes(' started on Kafka at '), 60_000, 'the worker to start');
    const call = await catenae(['rpc', 'RpcWorker', 'hello', '{"from":"cli"}']);
    assert.equal(call.code, 0, call.err.join('\n'));
    assert.deepEqual(JSON.parse(call.out.join('\n')), { uid, overlapped: false, handled: 0 });
    assert.ok(worker.stdout.some((line) => line === `rpc ${uid} hello cli caller=catenae-cli`));
    const byUid = await catenae(['rpc', `uid:${uid}`, 'hello', '{"from":"by-uid"}']);
    assert.equal(JSON.parse(byUid.out.join('\n')).uid, uid);
    const notified = await catenae(['rpc', 'RpcWorker', 'hello', '{"from":"notify"}', '--notify']);
    assert.equal(notified.code, 0);
    assert.deepEqual(notified.err, ['notified RpcWorker.hello']);
    await worker.waitFor((line) => line.includes('hello notify'), 30_000, 'the notification');
    const failed = await catenae(['rpc', 'RpcWorker', 'fail']);
    assert.equal(failed.code, ExitCode.Handler);
    assert.match(failed.err.join('\n'), /^catenae: RpcWorker\(.*\) failed: worker refused \(CATENAE_RPC_FAILED\)$/);
    const unknown = await catenae(['rpc', 'RpcWorker', 'nope']);
    assert.match(unknown.err.join('\n'), /\(CATENAE_RPC_UNKNOWN_METHOD\)$/);
    const late = await catenae(['rpc', 'RpcWorker', 'slow', '--timeout', '500']);
    assert.match(late.err.join('\n'), /no reply from RpcWorker\.slow within 500 ms \(CATENAE_RPC_TIMEOUT\)$/);
    assert.equal(await worker.stop(), 0);
  });

  it('catenae dlq replay re-sends dead letters to their source topic once the link takes them; --dry-run sends nothing', async () => {
    const input = uniqueTopic('picky_in');
    const output = uniqueTopic('picky_out');
    const refusing = startLink('picky', ['-i', input, '-o', output, '--retries', '0']);
    await refusing.waitFor((line) => line.includes(' assigned '), 60_000, 'the assignment');
    await producePlain(input, [{ value: 'ok 1' }, { key: 'k', value: 'bad keyed' }, { value: 'bad keyless' }]);
    await refusing.waitFor(() => refusing.stderr.filter((line) => line.includes(`sent to ${input}.dlq`)).length === 2, 60_000, 'two dead letters');
    assert.equal(await refusing.stop(), 0);
    const dry = await catenae(['dlq', 'replay', input, '--dry-run']);
    assert.equal(dry.code, 0, dry.err.join('\n'));
    assert.equal(dry.out.filter((line) => line.includes(`would go to ${input} (failed with Error: refused bad`)).length, 2, dry.out.join('\n'));
    assert.equal(dry.out.at(-1), `dry run: would replay 2 dead letter(s) of ${input}.dlq (2 to ${input})`);

    const accepting = startLink('picky', ['-i', input, '-o', output], { PICKY_ACCEPTS: '1' });
    const replay = await catenae(['dlq', 'replay', `${input}.dlq`]);
    assert.equal(replay.out.at(-1), `replayed 2 dead letter(s) of ${input}.dlq (2 to ${input})`);
    const outputs = await consumePlain(output, 3);
    assert.deepEqual(outputs.map((r) => r.value.toString()).sort(), ['BAD KEYED', 'BAD KEYLESS', 'OK 1']);
    assert.equal(outputs.find((r) => r.value.toString() === 'BAD KEYED')?.key, 'k', 'the key travels again');
    const again = await catenae(['dlq', 'replay', input]);
    assert.equal(again.out.at(-1), `replayed 0 dead letter(s) of ${input}.dlq`, 'progress was committed');
    assert.equal(await accepting.stop(), 0);
  });
});
