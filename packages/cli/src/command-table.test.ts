import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ErrorCode, ExitCode } from '@catenae/core';
import { main } from './main.js';
import { parseFlags } from './parse-flags.js';

async function captured(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    return { code: await main(argv, {}), out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

it('catenae --version prints the CLI package version', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.deepEqual(await captured(['--version']), { code: 0, out: `${version}\n`, err: '' });
});

it('catenae --help lists the day-to-day commands; each has its own --help', async () => {
  const help = await captured(['--help']);
  for (const command of ['new <dir>', 'dev <link files...>', 'topics [list]', 'rpc <link|uid:ID|broadcast>', 'dlq replay <topic>']) assert.ok(help.out.includes(`catenae ${command}`), command);
  const rpc = await captured(['rpc', '--help']);
  assert.equal(rpc.code, 0);
  assert.match(rpc.out, /--notify/);
  const unknown = await captured(['nope']);
  assert.equal(unknown.code, ExitCode.Usage);
  assert.match(unknown.err, /expected run, kafka, graph, dashboard, new, dev, topics, rpc, dlq/);
});

it('bad input to the commands is one line with a code', async () => {
  const bad = await captured(['topics', 'create']);
  assert.equal(bad.code, ExitCode.Usage);
  assert.equal(bad.err, 'catenae: catenae topics create needs at least one topic name (CATENAE_BAD_FLAG)\n');
  const json = await captured(['rpc', 'Reducer', 'snapshot', '{nope']);
  assert.match(json.err, /^catenae: the arguments \{nope are not JSON .*\(CATENAE_BAD_FLAG\)\n$/);
  assert.throws(() => parseFlags('dlq', ['--bogus'], {}), { code: ErrorCode.BadFlag, message: 'unknown flag --bogus for catenae dlq: see catenae dlq --help' });
  assert.throws(() => parseFlags('dlq', ['--to'], { to: { type: 'string' } }), { code: ErrorCode.BadFlag, message: '--to needs a value (catenae dlq)' });
});
