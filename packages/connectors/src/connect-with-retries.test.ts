import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { connectWithRetries } from './connect-with-retries.js';

const down = () => Object.assign(new Error('connect ECONNREFUSED'), { down: true });
const isUnreachable = (err: unknown) => (err as { down?: boolean }).down === true;

test('an unreachable store is retried, each failure logged, until it answers', async () => {
  const warnings: string[] = [];
  const attemptsMs: number[] = [];
  const store = await connectWithRetries({
    what: 'Db at h:1',
    timeoutMs: 10_000,
    logger: { warn: (line) => warnings.push(line) },
    async attempt(attemptMs) {
      attemptsMs.push(attemptMs);
      if (attemptsMs.length < 3) throw down();
      return 'store';
    },
    isUnreachable,
  });
  assert.equal(store, 'store');
  assert.equal(attemptsMs.length, 3);
  assert.ok(attemptsMs.every((ms) => ms <= 5_000 && ms >= 250), attemptsMs.join());
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /^Db at h:1 not reachable \(attempt 1\): connect ECONNREFUSED; retrying for \d+(\.\d)? s$/);
});

test('past the bound: one CATENAE_STORE line naming the store, the bound and the last reason', async () => {
  const started = Date.now();
  await assert.rejects(
    connectWithRetries({ what: 'Db at h:1', timeoutMs: 1_200, logger: { warn: () => undefined }, attempt: async () => Promise.reject(down()), isUnreachable }),
    (err: Error) => {
      assert.equal((err as { code?: string }).code, ErrorCode.Store);
      assert.equal(err.message, 'cannot reach Db at h:1 within 1.2 s: connect ECONNREFUSED');
      return true;
    },
  );
  assert.ok(Date.now() - started < 2_000);
});

test('a failure retrying cannot mend is final at once', async () => {
  let attempts = 0;
  await assert.rejects(
    connectWithRetries({
      what: 'Db at h:1',
      timeoutMs: 10_000,
      logger: { warn: () => assert.fail('no retry expected') },
      attempt: async () => {
        attempts++;
        throw new Error('Authentication failed.\n  more');
      },
      isUnreachable,
    }),
    { code: ErrorCode.Store, message: 'cannot connect to Db at h:1: Authentication failed. more' },
  );
  assert.equal(attempts, 1);
});
