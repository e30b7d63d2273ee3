import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RepeatFilter } from './repeat-filter.js';

describe('RepeatFilter', () => {
  it('lets a line through, silences its repeats for the window, then lets one through with their count', () => {
    const filter = new RepeatFilter(30_000);
    assert.deepEqual(filter.admit('down', 1000), { silenced: 0, sinceMs: 0 });
    for (let t = 1001; t < 31_000; t += 100) assert.equal(filter.admit('down', t), undefined);
    assert.deepEqual(filter.admit('other', 2000), { silenced: 0, sinceMs: 0 }, 'another line is not a repeat');
    assert.deepEqual(filter.admit('down', 31_000), { silenced: 300, sinceMs: 30_000 });
    assert.equal(filter.admit('down', 31_001), undefined);
    assert.deepEqual(filter.takeSilenced(), [['down', 1]]);
    assert.deepEqual(filter.admit('down', 31_002), { silenced: 0, sinceMs: 0 }, 'taking forgets');
  });

  it('keeps its memory bounded under a flood of distinct lines', () => {
    const filter = new RepeatFilter(30_000);
    for (let i = 0; i < 10_000; i++) filter.admit(`line ${i}`, i);
    assert.ok(filter.takeSilenced().length === 0);
    // Still rate-limits what comes next.
    assert.deepEqual(filter.admit('x', 20_000), { silenced: 0, sinceMs: 0 });
    assert.equal(filter.admit('x', 20_001), undefined);
  });
});
