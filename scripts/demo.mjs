// `pnpm demo`: the word-count topology on a local Kafka broker, as separate `catenae run`
// processes: one streamer, three mappers sharing one consumer group, one reducer printing the
// running counts. It starts the broker if none answers on KAFKA_PORT (default 9092), stops once
// the whole text is counted (or on Ctrl-C), and leaves no process behind.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const port = Number(process.env.KAFKA_PORT ?? 9092);
const kafkaAddress = `127.0.0.1:${port}`;
const mappers = Number(process.env.DEMO_MAPPERS ?? 3);
const repeat = Number(process.env.DEMO_REPEAT ?? 20);
const run = Date.now().toString(36);
const lines = `wordcount_lines_${run}`;
const pairs = `wordcount_pairs_${run}`;
const bin = join(root, 'packages/cli/dist/bin.js');
const example = (file) => join(root, 'examples/dist/wordcount', file);

const kafka = await import(join(root, 'packages/kafka/dist/index.js'));
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
  const child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  createInterface({ input: child.stdout }).on('line', (line) => (onLine ? onLine(line) : process.stdout.write(`[${name}] ${line}\n`)));
  createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`[${name}] ${line}\n`));
  child.exitedPromise = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return child;
}

let finished;
const done = new Promise((resolve) => (finished = resolve));
say(`counting ${expected} words: ${repeat} x the text, 1 streamer -> ${mappers} mappers -> 1 reducer`);
start('reducer', [example('reducer.js'), '-i', pairs], (line) => {
  process.stdout.write(`[reducer] ${line}\n`);
  if (line.startsWith(`counted ${expected} words`)) finished('the whole text is counted');
});
for (let i = 1; i <= mappers; i++) start(`mapper-${i}`, [example('mapper.js'), '-i', lines, '-o', pairs]);
start('streamer', [example('streamer.js'), '-o', lines, '--', '--repeat', String(repeat), '--pause-ms', '20']);

process.once('SIGINT', () => finished('interrupted'));
process.once('SIGTERM', () => finished('terminated'));
const reason = await done;
say(`${reason}; stopping the links`);
for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
const codes = await Promise.all(children.map((child) => child.exitedPromise));
if (startedBroker) {
  say('stopping the broker this demo started');
  await kafka.kafkaDown({ port, logger: { info: say } });
}
const failed = codes.filter((code) => code !== 0 && code !== null).length;
say(failed === 0 ? `done; link processes ${children.map((child) => child.pid).join(',')} have exited` : `${failed} link process(es) exited with an error`);
process.exit(reason === 'the whole text is counted' && failed === 0 ? 0 : 1);
