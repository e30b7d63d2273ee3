import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CatenaeError, ErrorCode } from './errors.js';
import { ExitCode, exitCodeOf } from './exit-code.js';

describe('exit codes', () => {
  it('every error code has an exit code, and each class of failure its own', () => {
    for (const code of Object.values(ErrorCode)) assert.equal(typeof exitCodeOf(new CatenaeError(code, 'x')), 'number', code);
    const values = Object.values(ExitCode);
    assert.equal(new Set(values).size, values.length, 'distinct');
    assert.equal(ExitCode.Ok, 0);
  });

  it('maps the classes an orchestrator acts on', () => {
    const of = (code: ErrorCode) => exitCodeOf(new CatenaeError(code, 'x'));
    assert.equal(of(ErrorCode.BadFlag), ExitCode.Usage);
    assert.equal(of(ErrorCode.NoLink), ExitCode.Load);
    assert.equal(of(ErrorCode.BadLink), ExitCode.Load);
    assert.equal(of(ErrorCode.MissingPackage), ExitCode.Load);
    assert.equal(of(ErrorCode.Setup), ExitCode.Setup);
    assert.equal(of(ErrorCode.Broker), ExitCode.Broker);
    assert.equal(of(ErrorCode.Store), ExitCode.Store);
    assert.equal(of(ErrorCode.Handler), ExitCode.Handler);
    assert.equal(of(ErrorCode.Decode), ExitCode.Handler);
    assert.equal(of(ErrorCode.Delivery), ExitCode.Delivery);
    assert.equal(of(ErrorCode.ShutdownTimeout), ExitCode.ShutdownTimeout);
    assert.equal(of(ErrorCode.Stopped), ExitCode.Stopped);
  });

  it('an error without a Catenae code is unexpected: 1, as Node exits on an uncaught exception', () => {
    assert.equal(exitCodeOf(new TypeError('bug')), ExitCode.Unexpected);
    assert.equal(exitCodeOf('thrown string'), 1);
  });
});
