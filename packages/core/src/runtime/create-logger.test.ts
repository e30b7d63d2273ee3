import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CatenaeError, ErrorCode } from '../errors.js';
import { createLogger } from './create-logger.js';
import { errorFields } from './error-fields.js';
import type { LogFormat, LogLevel } from './start-options.js';

/** The stderr lines `log` makes a logger of this level and format write. */
async function linesOf(level: LogLevel, format: LogFormat, log: (logger: ReturnType<typeof createLogger>) => void): Promise<string[]> {
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const logger = createLogger(level, format, 'Mapper', 'a1b2c3d4e5f6');
    log(logger);
    const deadline = Date.now() + 2000;
    while (written.length === 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    logger.close();
  } finally {
    process.stderr.write = write;
  }
  return written.join('').split('\n').filter((line) => line !== '');
}

const failure = new CatenaeError(ErrorCode.Handler, 'electron words[2]@41 failed', { cause: new Error('cannot digest'), details: { topic: 'words', partition: 2, offset: 41 } });

describe('createLogger', () => {
  it('JSON lines carry link, uid and every field as a property: topic, partition, offset, code, stack, cause', async () => {
    const [line] = await linesOf('info', 'json', (logger) => logger.error('failed', errorFields(failure)));
    const json = JSON.parse(line!);
    assert.equal(json.message, 'failed');
    assert.equal(json.link, 'Mapper');
    assert.equal(json.uid, 'a1b2c3d4e5f6');
    assert.equal(json.topic, 'words');
    assert.equal(json.partition, 2);
    assert.equal(json.offset, 41);
    assert.equal(json.code, ErrorCode.Handler);
    assert.match(json.stack, /^CatenaeError: electron words\[2\]@41 failed\n\s+at /);
    assert.match(json.cause.stack, /^Error: cannot digest\n\s+at /);
  });

  it('pretty lines show the stack and its causes at debug level only', async () => {
    const debug = await linesOf('debug', 'pretty', (logger) => logger.error('failed', errorFields(failure)));
    assert.match(debug[0]!, /^\d\d:\d\d:\d\d\.\d{3} error Mapper\(a1b2c3d4e5f6\) failed$/);
    assert.match(debug[1]!, /^CatenaeError: electron words\[2\]@41 failed$/);
    assert.ok(debug.some((line) => line === '[cause] Error: cannot digest'), debug.join('\n'));
    const info = await linesOf('info', 'pretty', (logger) => logger.error('failed', errorFields(failure)));
    assert.equal(info.length, 1, info.join('\n'));
  });
});
