// `pnpm demo`: the word-count topology on a local Kafka broker, as separate `catenae run`
// processes: one streamer, three mappers sharing one consumer group, two reducers sharing the
// words through their `counts` table, and a tally printing the running total. It starts the
// broker if none answers on KAFKA_PORT (default 9092), stops once the whole text is counted (or
// on Ctrl-C), asks the reducers for the top words by key (RPC), and leaves no process behind.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const port = Number(process.env.KAFKA_PORT ?? 9092);
const kafkaAddress = `127.0.0.1:${port}`;
const mappers = Number(process.env.DEMO_MAPPERS ?? 3);
const reducers = Number(process.env.DEMO_REDUCERS ?? 2);
const repeat = Number(process.env.DEMO_REPEAT ?? 20);
const run = Date.now().toString(36);
const lines = `wordcount_lines_${run}`;
const pairs = `wordcount_pairs_${run}`;
const counts = `wordcount_counts_${run}`;
// A table belongs to its consumer group: groups of this run's own start from empty tables.
const reducerGroup = `wordcount_reducer_${run}`;
const tallyGroup = `wordcount_tally_${run}`;
const bin = join(root, 'packages/cli/dist/bin.js');
const example = (file) => join(root, 'examples/dist/wordcount', file);

const kafka = await import(join(root, 'packages/kafka/dist/index.js'));
const core = await import(join(root, 'packages/core/dist/index.js'));
const { LINES } = await import(join(root, 'examples/dist/filter/text.js'));
const { countWords } = await import(join(root, 'examples/dist/wordcount/mapper.js'));
const expected = repeat * LINES.reduce((sum, line) => sum + [...countWords(line).values()].reduce((a, b) => a + b, 0), 0);

const say = (line) => process.stderr.write(`demo: ${line}\n`);
const startedBroker = !(await kafka.kafkaUp({ port, logger: { info: say } })).alreadyRunning;

const children = [];
function start(name, args, onLine) {
  // Our flags go before any `--`: what follows it belongs to the link.
  const separator = args.indexOf('--');
  const own = separator < 0 ? args : args.slice(0, separator);
  const linkArgs = separator < 0 ? [] : args.slice(separator);
  const argv = [bin, 'run', ...own, '-k', kafkaAddress, '--log-level', 'warn', ...linkArgs];
  // Through /bin/sh, as `catenae`'s bin shims run it (the script execs Node with its flags).
  const child = spawn('/bin/sh', argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  createInterface({ input: child.stdout }).on('line', (line) => (onLine ? onLine(line) : process.stdout.write(`[${name}] ${line}\n`)));
  createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`[${name}] ${line}\n`));
  child.exitedPromise = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return child;
}

let finished;
const done = new Promise((resolve) => (finished = resolve));
let top = [];
say(`counting ${expected} words: ${repeat} x the text, 1 streamer -> ${mappers} mappers -> ${reducers} reducers -> 1 tally`);
start('tally', [example('tally.js'), '-i', counts, '-g', tallyGroup], (line) => {
  process.stdout.write(`[tally] ${line}\n`);
  if (line.startsWith(`counted ${expected} words`)) {
    top = line.replace(/^.*top: /, '').split(' ').map((pair) => pair.split('=')[0]);
    finished('the whole text is counted');
  }
});
for (let i = 1; i <= reducers; i++) start(`reducer-${i}`, [example('reducer.js'), '-i', pairs, '-o', counts, '-g', reducerGroup, '--state-dir', join(tmpdir(), 'catenae-demo', run, String(i))]);
for (let i = 1; i <= mappers; i++) start(`mapper-${i}`, [example('mapper.js'), '-i', lines, '-o', pairs]);
start('streamer', [example('streamer.js'), '-o', lines, '--', '--repeat', String(repeat), '--pause-ms', '20']);

process.once('SIGINT', () => finished('interrupted'));
process.once('SIGTERM', () => finished('terminated'));
const reason = await done;
if (reason === 'the whole text is counted') await askByKey(top);
say(`${reason}; stopping the links`);
for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
const codes = await Promise.all(children.map((child) => child.exitedPromise));
if (startedBroker) {
  say('stopping the broker this demo started');
  await kafka.kafkaDown({ port, logger: { info: say } });
}
rmSync(join(tmpdir(), 'catenae-demo', run), { recursive: true, force: true });
const failed = codes.filter((code) => code !== 0 && code !== null).length;
say(failed === 0 ? `done; link processes ${children.map((child) => child.pid).join(',')} have exited` : `${failed} link process(es) exited with an error`);
process.exit(reason === 'the whole text is counted' && failed === 0 ? 0 : 1);

// Each word's count lives in one reducer: a call by key reaches the one holding it.
async function askByKey(words) {
  const asker = await core.startLink(core.defineLink({ name: `DemoAsker_${run}`, rpc: {} }), { kafka: kafkaAddress, logLevel: 'warn' });
  try {
    const answers = await Promise.all(words.map((word) => asker.ctx.rpc.call({ link: 'Reducer', key: word }, 'snapshot', word, { timeoutMs: 20_000 })));
    say(`asked the reducers by key: ${words.map((word, i) => `${word}=${answers[i]}`).join(' ')}`);
  } catch (err) {
    say(`asking the reducers by key failed: ${err.message}`);
  } finally {
    await asker.stop();
  }
}
