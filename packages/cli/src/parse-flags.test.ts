import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ErrorCode } from '@catenae/core';
import { integerFlag, parseFlags } from './parse-flags.js';

const FLAGS = { to: { type: 'string' }, kafka: { type: 'string', short: 'k' }, 'idle-ms': { type: 'string' }, 'dry-run': { type: 'boolean' } } as const;

it('reads --flag value, --flag=value, -f value and booleans; the rest are positionals', () => {
  const parsed = parseFlags('dlq', ['replay', 'orders', '--to', 'fixed', '-k', 'h:1', '--idle-ms=50', '--dry-run'], FLAGS);
  assert.deepEqual(parsed.positionals, ['replay', 'orders']);
  assert.deepEqual({ ...parsed.values }, { to: 'fixed', kafka: 'h:1', 'idle-ms': '50', 'dry-run': true });
  assert.equal(integerFlag(parsed, 'idle-ms', 3000), 50);
  assert.equal(integerFlag(parseFlags('dlq', [], FLAGS), 'idle-ms', 3000), 3000);
});

it('each bad flag is one line naming it and what was expected', () => {
  const cases: [string[], string][] = [
    [['--bogus'], 'unknown flag --bogus for catenae dlq: see catenae dlq --help'],
    [['--to'], '--to needs a value (catenae dlq)'],
    [['--idle-ms', '-1'], '--idle-ms needs a value, and "-1" looks like a flag: write --idle-ms=-1 if that is the value (catenae dlq)'],
    [['-k', '-x'], '-k needs a value, and "-x" looks like a flag: write --kafka=-x if that is the value (catenae dlq)'],
    [['--dry-run=yes'], 'catenae dlq: Option \'--dry-run\' does not take an argument'],
  ];
  for (const [argv, message] of cases) assert.throws(() => parseFlags('dlq', argv, FLAGS), { code: ErrorCode.BadFlag, message }, argv.join(' '));
  for (const value of ['0', '-1', '1.5', 'ten', '']) {
    assert.throws(() => integerFlag(parseFlags('dlq', [`--idle-ms=${value}`], FLAGS), 'idle-ms', 1), { code: ErrorCode.BadFlag, message: `--idle-ms "${value}" is not a positive whole number` });
  }
});
