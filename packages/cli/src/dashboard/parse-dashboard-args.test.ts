import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { parseDashboardArgs } from './parse-dashboard-args.js';

test('catenae dashboard binds to localhost on 8080 and is read-only unless told otherwise', () => {
  assert.deepEqual(parseDashboardArgs(['-k', 'localhost:9092'], {}), { kafka: 'localhost:9092', kafkaConfig: {}, port: 8080, host: '127.0.0.1', allowRpc: false, forgetAfterMs: 600_000 });
  assert.deepEqual(parseDashboardArgs(['--kafka=b:9092', '--port', '0', '--host', '0.0.0.0', '--allow-rpc', '--forget-after', '5', '--kafka-config', 'security.protocol=SSL'], {}), {
    kafka: 'b:9092',
    kafkaConfig: { 'security.protocol': 'SSL' },
    port: 0,
    host: '0.0.0.0',
    allowRpc: true,
    forgetAfterMs: 5000,
  });
  assert.equal(parseDashboardArgs([], { CATENAE_KAFKA: 'env:9092' }).kafka, 'env:9092');
});

for (const [argv, fragment] of [
  [[], 'needs -k host:port'],
  [['-k', 'localhost'], 'is not host:port'],
  [['-k', 'h:1', '--port', 'x'], '--port "x" is not a port number'],
  [['-k', 'h:1', '--port', '70000'], 'is not a port number'],
  [['-k', 'h:1', '--bogus'], 'unknown flag --bogus'],
  [['-k', 'h:1', '--host'], '--host needs a value'],
  [['-k', 'h:1', '--forget-after', '0'], '--forget-after "0" is not a positive number'],
] as const) {
  test(`catenae dashboard ${argv.join(' ')} is refused with one line`, () => {
    assert.throws(() => parseDashboardArgs(argv, {}), (err: Error & { code?: string }) => err.code === ErrorCode.BadFlag && err.message.includes(fragment));
  });
}
