import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BUSY_GRACE_MS, BUSY_WITHIN_MS, LogActivity } from './log-activity.js';

describe('LogActivity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'catenae-log-activity-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('with a silent log, a wait is over at its deadline and not before', () => {
    const activity = new LogActivity(join(dir, 'quiet.log'));
    const now = Date.now();
    assert.equal(activity.expired(now + 1000, now + BUSY_WITHIN_MS * 2), true);
    assert.equal(activity.expired(now + BUSY_WITHIN_MS * 3, now + BUSY_WITHIN_MS * 2), false);
  });

  it('past the deadline, a broker still writing its log gets more time, up to the grace', () => {
    const file = join(dir, 'busy.log');
    appendFileSync(file, 'starting\n');
    const activity = new LogActivity(file);
    const deadline = Date.now();
    appendFileSync(file, 'loaded partition 1\n');
    assert.equal(activity.expired(deadline, deadline + 1), false, 'the log just moved');
    assert.equal(activity.expired(deadline, deadline + 1 + BUSY_WITHIN_MS), true, 'then it was silent');
    appendFileSync(file, 'loaded partition 2\n');
    assert.equal(activity.expired(deadline, deadline + BUSY_GRACE_MS - 1), false);
    appendFileSync(file, 'loaded partition 3\n');
    assert.equal(activity.expired(deadline, deadline + BUSY_GRACE_MS), true, 'the grace is over');
  });

  it('a log that does not exist is a silent one', () => {
    const activity = new LogActivity(join(dir, 'missing.log'));
    const now = Date.now();
    assert.equal(activity.quietMs(now), 0);
    assert.equal(activity.expired(now, now + BUSY_WITHIN_MS), true);
  });
});
