import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ExitCode } from '@catenae/core';
import { main } from './main.js';

/**
 * Runs `main` in this process with what it prints captured. The CLI writes strings; the test
 * runner reports to its parent over this process's stdout in Buffers, at any await: those pass.
 */
async function captured(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  const capture = (into: string[], original: typeof process.stdout.write) =>
    function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      if (typeof chunk === 'string') return into.push(chunk) > 0;
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof process.stdout.write;
  process.stdout.write = capture(out, write.out);
  process.stderr.write = capture(err, write.err);
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
});

// What a user mistypes, command by command: each is refused before anything is written or any
// broker is reached, with one line naming the problem, nothing on stdout, and exit code 2.
const BAD_INPUT: [string[], RegExp][] = [
  [['new'], /^catenae new takes one directory, e\.g\. catenae new my-app \(got 0\)$/],
  [['new', 'a', 'b'], /takes one directory.*\(got 2\)$/],
  [['new', 'x', '--tarballs'], /^--tarballs needs a value \(catenae new\)$/],
  [['new', 'x', '--tarballs', '/nonexistent-catenae-dir'], /^--tarballs \/nonexistent-catenae-dir cannot be read: ENOENT/],
  [['dev'], /^catenae dev needs at least one link file/],
  [['dev', 'a.js', '--bogus'], /^unknown flag --bogus: see catenae dev --help/],
  [['dev', 'a.js', '--watch'], /^--watch needs a directory$/],
  [['dev', 'a.js', '--watch', '/nonexistent-catenae-dir'], /^--watch \/nonexistent-catenae-dir is not a directory$/],
  [['dev', 'a.js', '--seq', '--sync'], /^conflicting modes/],
  [['topics', 'drop'], /^catenae topics takes list or create, not "drop"$/],
  [['topics', 'list', 'extra'], /^catenae topics list takes no topic names \(got extra\)$/],
  [['topics', 'create'], /^catenae topics create needs at least one topic name$/],
  [['topics', 'create', 't', '--partitions', '0'], /^--partitions "0" is not a positive whole number$/],
  [['topics', 'create', 'a/b'], /^"a\/b" is not a topic name/],
  [['topics', 'create', 't', '--config', 'compact'], /^--config "compact" is not key=value/],
  [['topics', '-k', 'localhost'], /^-k "localhost" is not host:port/],
  [['topics', '--kafka-config', 'novalue'], /^--kafka-config "novalue" is not key=value/],
  [['rpc'], /^catenae rpc takes <link\|uid:ID\|broadcast> <method> \[json args\]/],
  [['rpc', 'Reducer'], /^catenae rpc takes/],
  [['rpc', 'Reducer', 'm', '1', '2'], /^catenae rpc takes/],
  [['rpc', 'Reducer', 'snapshot', '{nope'], /^the arguments \{nope are not JSON/],
  [['rpc', 'broadcast', 'reset'], /^broadcast reaches every instance: use it with --notify$/],
  [['rpc', 'uid:abc', 'm', '--key', 'k'], /^--key reaches a link by key: give a link name, not uid:$/],
  [['rpc', 'Reducer', 'm', '--timeout', 'soon'], /^--timeout "soon" is not a positive whole number$/],
  [['rpc', 'Reducer', 'm', '-k', 'h:99999'], /^-k "h:99999" is not host:port/],
  [['dlq'], /^catenae dlq takes replay <topic>/],
  [['dlq', 'replay'], /^catenae dlq takes replay <topic>/],
  [['dlq', 'purge', 'orders'], /^catenae dlq takes replay <topic>/],
  [['dlq', 'replay', 'orders', '--idle-ms', '-5'], /^--idle-ms needs a value, and "-5" looks like a flag/],
  [['dlq', 'replay', 'orders', '--dry-run=no'], /^catenae dlq: Option '--dry-run' does not take an argument$/],
];

for (const [argv, message] of BAD_INPUT) {
  it(`catenae ${argv.join(' ')}: one line, exit 2`, async () => {
    const { code, out, err } = await captured(argv);
    assert.equal(code, ExitCode.Usage, err);
    assert.equal(out, '');
    const lines = err.split('\n').filter((line) => line !== '');
    assert.equal(lines.length, 1, err);
    const [, text, errorCode] = /^catenae: (.*) \((CATENAE_\w+)\)$/.exec(lines[0]!) ?? [];
    assert.equal(errorCode, 'CATENAE_BAD_FLAG', lines[0]);
    assert.match(text!, message);
  });
}
