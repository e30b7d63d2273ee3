// Failures as an orchestrator and an operator see them (issue 16): the exit code of a `catenae
// run` process on the real broker (KAFKA_BOOTSTRAP), its last line, and its log lines and fields.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ExitCode } from '@catenae/core';
import { CatenaeProcess, KAFKA, fixturePath, uniqueTopic } from '../support/catenae-process.js';
import { createTopic } from '../support/kafka-admin.js';
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

/** The lines of a process that are not JSON, and the JSON ones parsed. */
function jsonLines(lines: readonly string[]): Record<string, unknown>[] {
  return lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('a run that did not do what it was asked exits non-zero, by class', () => {
  it('a @Generator that throws: exit 24 and the generator named, not "every generator finished"', async () => {
    const source = start('broken-feed', ['-o', uniqueTopic('feed')]);
    assert.equal(await source.exited, ExitCode.Handler, source.stderr.join('\n'));
    assert.equal(source.stderr.at(-1), 'catenae: generator numbers() failed: Error: the feed broke (CATENAE_HANDLER)');
    assert.ok(!source.stderr.some((line) => line.includes('every generator finished')), source.stderr.join('\n'));
  });

  for (const [fixture, message] of [
    ['deaf', /^catenae: link Deaf has a @Transform\(\) but no input topic to read: pass -i a,b, .*\(CATENAE_BAD_LINK\)$/],
    ['empty', /^catenae: link Empty has nothing to run: .*\(CATENAE_BAD_LINK\)$/],
  ] as const) {
    it(`a link with nothing to do (${fixture}) is refused with one line, exit 20, on Kafka and on the embedded broker`, async () => {
      for (const args of [['run', fixturePath(fixture), '-k', KAFKA], ['run', fixturePath(fixture)]]) {
        const link = new CatenaeProcess(args);
        running.push(link);
        assert.equal(await link.exited, ExitCode.Load, link.stderr.join('\n'));
        assert.equal(link.stderr.length, 1, link.stderr.join('\n'));
        assert.match(link.stderr[0]!, message);
      }
    });
  }

  it('a setup that throws: one line naming the link, CATENAE_SETUP, exit 21', async () => {
    const link = start('fragile', ['-i', uniqueTopic('fragile')]);
    assert.equal(await link.exited, ExitCode.Setup, link.stderr.join('\n'));
    assert.deepEqual(link.stderr, ['catenae: link Fragile: setup() failed: Error: no database at db:27017 (CATENAE_SETUP)']);
  });

  it('SIGTERM with a handler that never settles: after --shutdown-timeout, how many electrons were in flight, exit 26', async () => {
    const input = uniqueTopic('stuck');
    await createTopic(input, 1);
    const link = start('stuck', ['-i', input, '--shutdown-timeout', '3000']);
    await producePlain(input, [{ value: 'forever' }]);
    await link.waitFor((line) => line === 'holding forever', 60_000, 'the electron in its handler');
    const startedAt = Date.now();
    assert.equal(await link.stop(), ExitCode.ShutdownTimeout, link.stderr.join('\n'));
    assert.ok(Date.now() - startedAt < 15_000, 'within the shutdown timeout, give or take the clients closing');
    assert.ok(
      link.stderr.some((line) => / error Stuck\([0-9a-f]{12}\) stopped: received SIGTERM; the shutdown timeout \(3000 ms\) passed with 1 electron still being handled \(not committed: read again on restart\)$/.test(line)),
      link.stderr.join('\n'),
    );
    assert.match(link.stderr.at(-1)!, /^catenae: received SIGTERM; the shutdown timeout \(3000 ms\) passed with 1 electron .*\(CATENAE_SHUTDOWN_TIMEOUT\)$/);
  });
});

describe('a failing handler, found at 3 a.m.', () => {
  it('JSON lines carry topic, partition, offset, code, stack as properties; the dead letter carries the stack', async () => {
    const input = uniqueTopic('choke');
    await createTopic(input, 2);
    const link = start('choker', ['-i', input, '--retries', '0', '--log-format', 'json']);
    await producePlain(input, [{ key: 'k1', value: 'bones' }]);
    const deadLetterLine = await link.waitFor((line) => line.startsWith('{') && line.includes('sent to'), 60_000, 'the dead-letter line');
    const line = JSON.parse(deadLetterLine) as Record<string, unknown>;
    assert.equal(line.level, 'error');
    assert.equal(line.link, 'Choker');
    assert.match(String(line.uid), /^[0-9a-f]{12}$/);
    assert.equal(line.topic, input);
    assert.equal(typeof line.partition, 'number');
    assert.equal(line.offset, 0);
    assert.equal(line.code, 'CATENAE_HANDLER');
    assert.equal(line.error, 'TypeError: cannot digest bones');
    assert.match(String(line.stack), /^TypeError: cannot digest bones\n\s+at Choker\.swallow \(file:\/\/.*\/choker\.js:\d+:\d+\)/);
    const [letter] = await consumePlain(`${input}.dlq`, 1);
    const headers = Object.assign({}, ...(letter!.headers ?? [])) as Record<string, Buffer>;
    assert.match(String(headers['catenae-error-stack']), /^TypeError: cannot digest bones\n\s+at Choker\.swallow \(.*choker\.js:\d+:\d+\)/);
    assert.equal(await link.stop(), ExitCode.Ok);
    const started = jsonLines(link.stderr).find((entry) => String(entry.message).startsWith('started on '));
    assert.equal(started?.message, `started on Kafka at ${KAFKA}: inputs [${input}], output -, group catenae_choker, mode async`);
  });
});

describe('catenae kafka', () => {
  it('up when the broker already runs says so, exit 0', async () => {
    const port = KAFKA.split(':').at(-1)!;
    const up = new CatenaeProcess(['kafka', 'up', '--port', port]);
    assert.equal(await up.exited, 0, up.stderr.join('\n'));
    assert.equal(up.stderr.length, 1, up.stderr.join('\n'));
    assert.match(up.stderr[0]!, new RegExp(`^Kafka already answers at 127\\.0\\.0\\.1:${port}( \\(pid \\d+\\))?: nothing to start$`));
  });
});

describe('a restarted instance', () => {
  it('waiting for the session of its killed predecessor to time out, says why', async () => {
    const input = uniqueTopic('restart');
    await createTopic(input, 2);
    const group = `restart_${input}`;
    // The predecessor's session decides the wait: 10 s after it was last heard from.
    const first = start('upper', ['-i', input, '-o', uniqueTopic('restart_out'), '-g', group, '--kafka-config', 'session.timeout.ms=10000']);
    await first.waitFor((line) => line.includes(' assigned '), 60_000, 'the first instance to own the partitions');
    first.child.kill('SIGKILL');
    await first.exited;
    const second = start('upper', ['-i', input, '-o', uniqueTopic('restart_out'), '-g', group]);
    const notice = await second.waitFor((line) => line.includes('no partitions assigned yet'), 30_000, 'the notice');
    assert.match(notice, new RegExp(`no partitions assigned yet after \\d+\\.\\d s: group ${group} is rebalancing, .*until its session times out \\(session\\.timeout\\.ms, 45 s by default on Kafka\\)$`));
    await second.waitFor((line) => line.includes(`got partitions of group ${group} after`), 60_000, 'the partitions, once the session timed out');
    assert.equal(await second.stop(), ExitCode.Ok);
  });
});
