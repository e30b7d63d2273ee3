import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deserialize, serialize } from 'node:v8';
import { deserializeSmallInt, isSmallInt, serializeSmallInt } from './small-int.js';

describe('small integers in the transparent codec', () => {
  it('are written byte for byte as v8.serialize writes them, and read back', () => {
    const values = [0, 1, -1, 5, -3, 63, 64, -64, -65, 127, 128, 8191, 8192, 2 ** 20, -(2 ** 20), 2 ** 30 - 1, -(2 ** 30), 123_456_789];
    for (const value of values) {
      assert.ok(isSmallInt(value), String(value));
      const bytes = serializeSmallInt(value);
      assert.deepEqual(bytes, serialize(value), `bytes of ${value}`);
      assert.equal(deserializeSmallInt(bytes), value);
      assert.equal(deserialize(bytes), value);
    }
  });

  it('leave everything else to V8', () => {
    for (const value of [2 ** 30, -(2 ** 30) - 1, 2.5, -0, Number.NaN, '7', 7n]) assert.equal(isSmallInt(value), false, String(value));
    for (const value of [2 ** 31, 2.5, 'text', { a: 1 }, [1, 2], true]) assert.equal(deserializeSmallInt(serialize(value)), undefined, JSON.stringify(value));
  });
});
