import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CatenaeProcess, uniqueTopic } from '../support/catenae-process.js';
import { consumePlain, producePlain } from '../support/plain-kafka.js';

const running: CatenaeProcess[] = [];
function start(fixture: string, args: string[]): CatenaeProcess {
  const process = CatenaeProcess.run(fixture, args);
  running.push(process);
  return process;
}
after(async () => {
  await Promise.all(running.map((process) => process.stop()));
});

/** Waits until the instances' latest assignments cover `partitions` partitions between them, each owning some. */
async function waitForBalancedGroup(instances: CatenaeProcess[], partitions: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const owned = instances.map((instance) => {
      const lines = instance.stderr.filter((line) => line.includes(' assigned '));
      const last = lines.at(-1);
      return last ? (last.split(' assigned ')[1]!.match(/\[\d+\]/g) ?? []).length : 0;
    });
    if (owned.every((n) => n > 0) && owned.reduce((a, b) => a + b, 0) === partitions) return;
    if (Date.now() > deadline) throw new Error(`the group never balanced: ${owned.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('catenae run on a real Kafka broker', () => {
  it('runs source -> middle -> leaf as three processes', async () => {
    const lines = uniqueTopic('lines');
    const upper = uniqueTopic('upper');
    const leaf = start('printer', ['-i', upper]);
    const middle = start('upper', ['-i', lines, '-o', upper]);
    const source = start('source', ['-o', lines, '--', '--count', '50']);
    assert.equal(await source.exited, 0, 'the source stops by itself once its generator returned');
    await leaf.waitFor(() => leaf.stdout.length >= 50, 60_000, '50 electrons at the leaf');
    const values = leaf.stdout.map((line) => line.split(' ')[3]).sort();
    assert.deepEqual(values, Array.from({ length: 50 }, (_, i) => `VALUE-${i}`).sort());
    assert.ok(leaf.stdout.every((line) => line.startsWith(`got ${upper} key-`)), 'keys travel through the middle link');
    assert.equal(await middle.stop(), 0);
    assert.equal(await leaf.stop(), 0);
  });

  it('reads several inputs and writes the default output, readable by a plain consumer', async () => {
    const a = uniqueTopic('in_a');
    const b = uniqueTopic('in_b');
    const out = uniqueTopic('out');
    const middle = start('upper', ['-i', `${a},${b}`, '-o', out]);
    await middle.waitFor((line) => line.includes(' assigned '), 60_000, 'the assignment (the link creates its topics)');
    await producePlain(a, [{ value: 'from a' }]);
    await producePlain(b, [{ value: 'from b' }]);
    const records = await consumePlain(out, 2);
    assert.deepEqual(records.map((r) => r.value.toString('utf8')).sort(), ['FROM A', 'FROM B']);
    assert.ok(records.every((r) => r.headers === undefined || r.headers.length === 0), 'strings carry no codec header');
    assert.equal(await middle.stop(), 0);
  });

  it('shares the partitions between two instances in one group: each electron handled once, each key by one instance in order', async () => {
    const input = uniqueTopic('shared_in');
    const out = uniqueTopic('shared_out');
    const first = start('tagger', ['-i', input, '-o', out]);
    const second = start('tagger', ['-i', input, '-o', out]);
    await waitForBalancedGroup([first, second], 4);
    const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i % 20}`, value: String(i) }));
    await producePlain(input, messages);
    const records = await consumePlain(out, 1000);
    const tagged = records.map((r) => r.value.toString('utf8').split('|') as [string, string, string]);
    assert.deepEqual(tagged.map(([, , value]) => Number(value)).sort((x, y) => x - y), messages.map((_, i) => i), 'every electron exactly once');
    assert.equal(new Set(tagged.map(([uid]) => uid)).size, 2, 'both instances worked');
    const ownerOfKey = new Map<string, Set<string>>();
    for (const [uid, key] of tagged) ownerOfKey.set(key, (ownerOfKey.get(key) ?? new Set()).add(uid));
    assert.ok([...ownerOfKey.values()].every((owners) => owners.size === 1), 'one key reaches one instance');
    for (let k = 0; k < 20; k++) {
      const inOrder = records.filter((r) => r.key === `k${k}`).map((r) => Number(r.value.toString('utf8').split('|')[2]));
      assert.deepEqual(inOrder, [...inOrder].sort((x, y) => x - y), `key k${k} kept its order`);
    }
    assert.equal(await first.stop(), 0);
    assert.equal(await second.stop(), 0);
  });

  it('gives every instance the whole stream with --uid-consumer-group', async () => {
    const input = uniqueTopic('uid_in');
    const out = uniqueTopic('uid_out');
    const first = start('tagger', ['-i', input, '-o', out, '--uid-consumer-group']);
    const second = start('tagger', ['-i', input, '-o', out, '--uid-consumer-group']);
    await Promise.all([first, second].map((p) => p.waitFor((line) => line.includes(' assigned '), 60_000, 'an assignment')));
    await producePlain(input, Array.from({ length: 100 }, (_, i) => ({ value: String(i) })));
    const records = await consumePlain(out, 200);
    const byUid = new Map<string, number>();
    for (const record of records) {
      const uid = record.value.toString('utf8').split('|')[0]!;
      byUid.set(uid, (byUid.get(uid) ?? 0) + 1);
    }
    assert.deepEqual([...byUid.values()], [100, 100]);
    await Promise.all([first.stop(), second.stop()]);
  });

  it('round-trips Map, Set, Date, BigInt and typed arrays between processes', async () => {
    const topic = uniqueTopic('typed');
    const checker = start('typed-checker', ['-i', topic]);
    const source = start('typed-source', ['-o', topic]);
    assert.equal(await source.exited, 0);
    assert.equal(await checker.waitFor((line) => line.startsWith('typed'), 60_000, 'the typed value'), 'typed ok');
    await checker.stop();
  });
});
