import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExitCode } from '@catenae/core';
import { CatenaeProcess, KAFKA, fixturePath } from '../support/catenae-process.js';

/** Runs `catenae <args>` to its end: exit code and stderr lines. */
async function catenae(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string[] }> {
  const process = new CatenaeProcess(args, env);
  const code = await process.exited;
  return { code, stderr: process.stderr };
}

describe('catenae run refuses bad input with one clear line', () => {
  const cases: [string, string[], RegExp, ExitCode][] = [
    ['a malformed -k', ['run', fixturePath('upper'), '-k', 'localhost'], /^catenae: -k "localhost" is not host:port.*\(CATENAE_BAD_FLAG\)$/, ExitCode.Usage],
    ['an unknown flag', ['run', fixturePath('upper'), '--frobnicate'], /^catenae: unknown flag --frobnicate.*\(CATENAE_BAD_FLAG\)$/, ExitCode.Usage],
    ['a module that exports no link', ['run', fixturePath('no-link')], /^catenae: .*no-link\.js exports no link.*\(CATENAE_NO_LINK\)$/, ExitCode.Load],
    ['a missing file', ['run', 'nowhere/link.js'], /^catenae: cannot find link file nowhere\/link\.js.*\(CATENAE_NO_LINK\)$/, ExitCode.Load],
    ['two links with one name', ['run', fixturePath('upper'), fixturePath('upper')], /^catenae: two links are named "Upper".*\(CATENAE_DUPLICATE_LINK\)$/, ExitCode.Load],
    ['a bad mode', ['run', fixturePath('upper'), '--mode', 'fast'], /^catenae: --mode "fast" is not one of .*\(CATENAE_BAD_FLAG\)$/, ExitCode.Usage],
    ['an unknown command', ['frobnicate'], /^catenae: unknown command "frobnicate"/, ExitCode.Usage],
    [
      'a librdkafka setting passed with --kafka-config reaches the client',
      ['run', fixturePath('upper'), '-k', KAFKA, '-i', 'x', '--kafka-config', 'bogus.setting=1'],
      /^catenae: Kafka client settings rejected: .*"bogus\.setting".*\(CATENAE_BAD_FLAG\)$/,
      ExitCode.Usage,
    ],
  ];
  for (const [what, args, expected, exitCode] of cases) {
    it(what, async () => {
      const { code, stderr } = await catenae(args);
      assert.notEqual(code, 0);
      assert.equal(code, exitCode);
      assert.equal(stderr.length, 1, `one line, got:\n${stderr.join('\n')}`);
      assert.match(stderr[0]!, expected);
    });
  }

  it('a CATENAE_KAFKA_<KEY> variable reaches the client as a librdkafka setting', async () => {
    const { code, stderr } = await catenae(['run', fixturePath('upper'), '-k', KAFKA, '-i', 'x'], { CATENAE_KAFKA_SOCKET_TIMEOUT_MS: 'abc' });
    assert.notEqual(code, 0);
    assert.match(stderr.at(-1)!, /"socket\.timeout\.ms".*\(CATENAE_BAD_FLAG\)$/);
  });

  it('a broker that cannot be reached: a clear error after a bounded wait, not a hang', async () => {
    const started = Date.now();
    const { code, stderr } = await catenae(['run', fixturePath('upper'), '-k', '127.0.0.1:1', '-i', 'x', '--log-level', 'silent']);
    assert.notEqual(code, 0);
    assert.equal(code, ExitCode.Broker);
    assert.ok(Date.now() - started < 30_000);
    assert.match(stderr.at(-1)!, /^catenae: .*127\.0\.0\.1:1.*\(CATENAE_BROKER\)$/);
  });

  it('a broker that cannot be reached: a few warnings before the clear line, not one per retry; none at --log-level error', async () => {
    const atInfo = await catenae(['run', fixturePath('upper'), '-k', '127.0.0.1:1', '-i', 'x']);
    assert.equal(atInfo.code, ExitCode.Broker);
    assert.match(atInfo.stderr.at(-1)!, /^catenae: cannot reach Kafka at 127\.0\.0\.1:1 within 10 s: .*\(CATENAE_BROKER\)$/);
    const warnings = atInfo.stderr.slice(0, -1);
    assert.ok(warnings.length <= 6, `at most a line per distinct client message, got:\n${atInfo.stderr.join('\n')}`);
    assert.ok(warnings.every((line) => / warn  Upper\([0-9a-f]{12}\) (consumer|producer) client/.test(line)), atInfo.stderr.join('\n'));
    assert.equal(new Set(warnings.map((line) => line.replace(/^\S+ /, '').replace(/\d+/g, '#'))).size, warnings.length, 'no line repeated');
    const atError = await catenae(['run', fixturePath('upper'), '-k', '127.0.0.1:1', '-i', 'x', '--log-level', 'error']);
    assert.equal(atError.code, ExitCode.Broker);
    assert.equal(atError.stderr.length, 1, atError.stderr.join('\n'));
  });
});
