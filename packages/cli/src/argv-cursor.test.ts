import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArgvCursor } from './argv-cursor.js';

function read(argv: string[]): [string, string | boolean][] {
  const seen: [string, string | boolean][] = [];
  for (const args = new ArgvCursor(argv); args.next(); ) seen.push([args.name, args.isFlag && args.name !== '--on' ? args.value() : args.isFlag]);
  return seen;
}

describe('ArgvCursor', () => {
  it('reads --name value, --name=value and bare words', () => {
    assert.deepEqual(read(['a.js', '--port', '80', '--host=h', '-k', 'b:1', '--on']), [
      ['a.js', false],
      ['--port', '80'],
      ['--host', 'h'],
      ['-k', 'b:1'],
      ['--on', true],
    ]);
  });

  it('refuses a flag without a value, or with an empty one, naming the flag', () => {
    assert.throws(() => read(['--port']), { code: 'CATENAE_BAD_FLAG', message: /--port needs a value/ });
    assert.throws(() => read(['--host=']), { code: 'CATENAE_BAD_FLAG', message: /--host needs a value/ });
  });
});
