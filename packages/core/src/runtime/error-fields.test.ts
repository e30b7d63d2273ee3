import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CatenaeError, ErrorCode } from '../errors.js';
import { errorFields, stackTrace } from './error-fields.js';

describe('error fields', () => {
  it("a wrapped error keeps its details, code, stack and its cause's stack", () => {
    const cause = new TypeError('x is undefined');
    const err = new CatenaeError(ErrorCode.Handler, 'electron t[1]@7 failed', { cause, details: { topic: 't', partition: 1, offset: 7 } });
    const fields = errorFields(err);
    assert.equal(fields.topic, 't');
    assert.equal(fields.partition, 1);
    assert.equal(fields.offset, 7);
    assert.equal(fields.code, ErrorCode.Handler);
    assert.equal(fields.error, 'CatenaeError: electron t[1]@7 failed');
    assert.match(fields.stack!, /^CatenaeError: electron t\[1\]@7 failed\n\s+at /);
    assert.equal(fields.cause?.error, 'TypeError: x is undefined');
    assert.match(fields.cause!.stack!, /error-fields\.test\.js/, 'the cause points at the code that threw');
    assert.deepEqual(JSON.parse(JSON.stringify(fields)).cause.error, 'TypeError: x is undefined', 'it survives JSON');
  });

  it('what user code throws gets the caller\'s code; a non-Error its text', () => {
    assert.equal(errorFields(new Error('boom'), ErrorCode.Handler).code, ErrorCode.Handler);
    assert.deepEqual(errorFields('just a string', ErrorCode.Handler), { code: ErrorCode.Handler, error: 'just a string', stack: undefined });
  });

  it('stackTrace appends the causes, and a cycle of causes ends', () => {
    const inner = new Error('inner');
    const outer = new Error('outer', { cause: inner });
    (inner as { cause?: unknown }).cause = outer;
    const text = stackTrace(outer)!;
    assert.match(text, /^Error: outer\n/);
    assert.match(text, /\n\[cause\] Error: inner\n/);
    assert.ok(text.split('[cause]').length <= 7, 'bounded');
    assert.equal(stackTrace('not an error'), undefined);
  });
});
