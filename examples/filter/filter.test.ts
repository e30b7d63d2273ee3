import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestDriver } from '@catenae/core';
import { Filter } from './filter.js';
import { Streamer } from './streamer.js';
import { LINES } from './text.js';

test('the filter passes exactly the lines that mention CPU, proof-of-work, chain or nodes', async () => {
  const driver = await TestDriver.start([Filter, Streamer], { links: { Filter: { output: 'filtered' } } });
  try {
    await driver.drain();
    const expected = LINES.filter((line) => line.split(/\s+/).some((w) => ['CPU', 'proof-of-work', 'chain', 'nodes'].includes(w)));
    assert.ok(expected.length > 0);
    assert.deepEqual(driver.read<string>('filtered').map((e) => e.value).sort(), [...expected].sort());
  } finally {
    await driver.close();
  }
});
