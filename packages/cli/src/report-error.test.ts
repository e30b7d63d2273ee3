import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatenaeError, ErrorCode, ExitCode } from '@catenae/core';
import { reportError, reportStyleOf } from './report-error.js';

function reported(err: unknown, style: { showStack: boolean; isJson: boolean }): string[] {
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    reportError(err, style);
  } finally {
    process.stderr.write = write;
  }
  return written.join('').split('\n').filter((line) => line !== '');
}

const failure = new CatenaeError(ErrorCode.Setup, 'link Fragile: setup() failed: Error: no database', { cause: new Error('no database') });

describe('reportError', () => {
  it('one line with the code; the stack and its cause at --log-level debug', () => {
    assert.deepEqual(reported(failure, { showStack: false, isJson: false }), ['catenae: link Fragile: setup() failed: Error: no database (CATENAE_SETUP)']);
    const debug = reported(failure, { showStack: true, isJson: false });
    assert.match(debug[1]!, /^CatenaeError: link Fragile/);
    assert.ok(debug.some((line) => line === '[cause] Error: no database'), debug.join('\n'));
  });

  it('in JSON: one line with code, exitCode, stack and cause, as the links log errors', () => {
    const [line, ...rest] = reported(failure, { showStack: false, isJson: true });
    assert.deepEqual(rest, []);
    const json = JSON.parse(line!);
    assert.equal(json.level, 'error');
    assert.equal(json.message, 'catenae: link Fragile: setup() failed: Error: no database');
    assert.equal(json.code, ErrorCode.Setup);
    assert.equal(json.exitCode, ExitCode.Setup);
    assert.match(json.stack, /^CatenaeError: link Fragile/);
    assert.match(json.cause.stack, /^Error: no database\n\s+at /);
  });

  it('reads the style from flags (even ones that failed to parse) before the environment', () => {
    assert.deepEqual(reportStyleOf(['x.js', '--log-format', 'json', '--log-level=debug'], {}), { showStack: true, isJson: true });
    assert.deepEqual(reportStyleOf(['x.js'], { CATENAE_LOG_FORMAT: 'json', CATENAE_LOG_LEVEL: 'info' }), { showStack: false, isJson: true });
    assert.deepEqual(reportStyleOf(['x.js', '--log-level', 'warn'], { CATENAE_LOG_LEVEL: 'debug' }), { showStack: false, isJson: false });
    assert.deepEqual(reportStyleOf(['x.js', '--', '--log-format', 'json'], {}), { showStack: false, isJson: false }, 'arguments of the link are not flags');
  });
});
