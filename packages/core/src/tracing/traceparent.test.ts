import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

it('reads and writes W3C traceparent values, ignoring malformed ones as the spec says', () => {
  const value = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  assert.deepEqual(parseTraceparent(value), { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
  assert.equal(formatTraceparent(parseTraceparent(value)!), value);
  assert.equal(formatTraceparent({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 0 }), `00-${'a'.repeat(32)}-${'b'.repeat(16)}-00`);
  assert.deepEqual(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-later-fields'), { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
  for (const bad of [
    '',
    'nonsense',
    'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
  ]) {
    assert.equal(parseTraceparent(bad), undefined, bad);
  }
});
