// The compose files of the examples other than wordcount and filter, each run as its comment says
// and checked against what the example's README promises, computed from the example's own modules.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { exampleFile } from '../examples/example-process.js';
import { run } from './docker-cli.js';
import { containerLogs, inspect, runProject, until, type ComposeProject } from './compose-project.js';

const STEP_MS = 180_000;
type Log = (line: string) => void;

/** The ISS source replays the recorded sample; the displacement link prints every difference, in order. */
export async function runIss(logFile: string, log: Log): Promise<void> {
  type Position = { timestamp: number; iss_position: { longitude: string } };
  const sample = JSON.parse(await readFile(exampleFile('../iss/sample.json'), 'utf8')) as Position[];
  const first = Number(sample[0]!.iss_position.longitude);
  // As the Python SecondLink prints them, wrapped to [-180, 180).
  const expected = sample.map((p) => {
    const longitude = Number(p.iss_position.longitude);
    let difference = (longitude - first) % 360;
    if (difference >= 180) difference -= 360;
    if (difference < -180) difference += 360;
    return `Current longitude difference: ${(Math.round(difference * 1e4) / 1e4).toFixed(4)} (longitude ${longitude} at ${p.timestamp})`;
  });
  const env = { ISS_URL: 'file:///opt/catenae/examples/iss/sample.json', ISS_INTERVAL_MS: '100' };
  await runProject('docker/compose/iss.yml', env, {}, logFile, async (project) => {
    const printed = async () => (await project.logs('displacement')).split('\n').filter((line) => line.startsWith('Current longitude difference'));
    await until(async () => (await printed()).length >= expected.length, `${expected.length} differences`, STEP_MS);
    assert.deepEqual(await printed(), expected);
    await exitedZero(project, 'source');
  });
  log(`docker/compose/iss.yml: the sample replayed, ${expected.length} differences printed in order, the source exited 0`);
}

/** Triage starts once the producer finished and handles the 20 alerts before the 300 routine messages. */
export async function runPriority(logFile: string, log: Log): Promise<void> {
  await runProject('docker/compose/priority.yml', {}, {}, logFile, async (project) => {
    const handled = async () => (await project.logs('triage')).split('\n').filter((line) => /^(ALERT|routine) /.test(line));
    await until(async () => (await handled()).length >= 320, '320 handled messages', STEP_MS);
    const lines = await handled();
    assert.equal(lines.length, 320);
    assert.deepEqual(lines.slice(0, 20).sort(), Array.from({ length: 20 }, (_, i) => `ALERT alert-${i}`).sort(), lines.slice(0, 25).join('\n'));
    assert.deepEqual(new Set(lines.slice(20).map((line) => line.split(' ')[0])), new Set(['routine']));
    assert.equal(new Set(lines).size, 320, 'each message once');
    await exitedZero(project, 'producer');
  });
  log('docker/compose/priority.yml: the 20 alerts first, then the 300 routine messages, each once');
}

/** Two analyzers summarize the sample's hours as a direct count does; the 20 late requests go to user_logs.late. */
export async function runLogAnalyzer(logFile: string, log: Log): Promise<void> {
  interface Summary {
    user: string;
    from: string;
  }
  const { sortSummaries, summarizeDirectly } = (await import(exampleFile('log-analyzer/direct-summary.js'))) as {
    sortSummaries(s: Summary[]): Summary[];
    summarizeDirectly(logs: unknown[]): Summary[];
  };
  const { sampleStart, sampleWebLogs } = (await import(exampleFile('log-analyzer/web-log.js'))) as { sampleStart(): number; sampleWebLogs(count: number, start: number, hours: number): { time: number }[] };
  // The source's sample: 5000 requests over 3 hours from its start (yesterday, UTC).
  const sample = sampleWebLogs(5000, sampleStart(), 3);
  const expected = sortSummaries(summarizeDirectly(sample));
  const last = Math.max(...sample.map((entry) => entry.time));
  await runProject('docker/compose/log-analyzer.yml', {}, { analyzer: 2 }, logFile, async (project) => {
    let summaries: Summary[] = [];
    await until(
      async () => {
        const out = await run('docker', ['exec', await project.container('kafka'), '/opt/kafka/bin/kafka-console-consumer.sh', '--bootstrap-server', 'localhost:9092', '--topic', 'user_summaries', '--from-beginning', '--timeout-ms', '5000']);
        summaries = out.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Summary).filter((s) => Date.parse(s.from) <= last);
        return summaries.length >= expected.length;
      },
      `${expected.length} summaries`,
      STEP_MS,
    );
    assert.deepEqual(sortSummaries(summaries), expected);
    assert.equal(await project.endOffsets('user_logs.late'), 20, 'the 20 late requests, and nothing else');
    await exitedZero(project, 'source');
  });
  log(`docker/compose/log-analyzer.yml: two analyzers, ${expected.length} summaries equal to a direct count, 20 late requests set aside`);
}

/** Two workers; the sender and the controller run on demand, and the controller changes the workers over RPC. */
export async function runRpc(logFile: string, log: Log): Promise<void> {
  await runProject('docker/compose/rpc.yml', {}, { worker: 2 }, logFile, async (project) => {
    const workers = await project.containers('worker');
    const clientIds = await Promise.all(workers.map(async (id) => `Worker-${(await inspect(id)).hostname}`));
    await until(async () => sameMembers([...(await project.owners('catenae_worker', 'topic_a')).values()], clientIds), 'both workers sharing topic_a', STEP_MS);
    const onDemand = (service: string, args: readonly string[]) => project.compose(['run', '--rm', '-T', service, ...args], STEP_MS);
    const workerLogs = () => project.logs('worker');

    await onDemand('sender', ['-o', 'topic_a', '--', 'a1', 'a2']);
    await until(async () => (await workerLogs()).includes('handled topic_a: a1'), 'a1 handled', STEP_MS);
    await until(async () => (await workerLogs()).includes('handled topic_a: a2'), 'a2 handled', STEP_MS);
    assert.match(await onDemand('controller', ['state']), /^state: \{"uid":"[0-9a-f]{12}","inputs":\["topic_a"\]/m);
    await onDemand('controller', ['--all', 'listen', 'topic_b']);
    await onDemand('sender', ['-o', 'topic_b', '--', 'b1']);
    await until(async () => (await workerLogs()).includes('handled topic_b: b1'), 'b1 handled once the workers listen to topic_b', STEP_MS);
    await onDemand('controller', ['announce', 'maintenance at noon']);
    for (const id of workers) {
      await until(async () => /announcement from Controller\([0-9a-f]{12}\): maintenance at noon/.test(await containerLogs(id)), `worker ${id.slice(0, 12)} hearing the announcement`, STEP_MS);
    }
  });
  log('docker/compose/rpc.yml: the sender and the controller run on demand; listen, state and announce reach the two workers');
}

/** Two counters add the word counts into MongoDB (the mongo:7 stand-in is FerretDB); the stored counts are exact. */
export async function runMongodbSink(logFile: string, log: Log): Promise<void> {
  const { LINES } = (await import(exampleFile('filter/text.js'))) as { LINES: readonly string[] };
  const { countWords } = (await import(exampleFile('wordcount/mapper.js'))) as { countWords(line: string): Map<string, number> };
  const repeat = 2;
  const expected = new Map<string, number>();
  for (let i = 0; i < repeat; i++) for (const line of LINES) for (const [word, n] of countWords(line)) expected.set(word, (expected.get(word) ?? 0) + n);
  const total = [...expected.values()].reduce((a, b) => a + b, 0);
  // Read with the MongoDB driver the image carries, in a one-off container on the project's network.
  const script = "const { MongoClient } = require(require.resolve('mongodb', { paths: ['/opt/catenae/packages/connectors'] })); MongoClient.connect('mongodb://mongodb:27017').then(async (c) => { console.log(JSON.stringify(await c.db('wordcount').collection('counts').find().toArray())); await c.close(); });";
  const env = { STREAMER_REPEAT: String(repeat), STREAMER_PAUSE_MS: '0' };
  await runProject('docker/compose/mongodb-sink.yml', env, { mapper: 2, counter: 2 }, logFile, async (project) => {
    let stored = new Map<string, number>();
    await until(
      async () => {
        const out = await project.compose(['run', '--rm', '-T', '--no-deps', '--entrypoint', 'node', 'counter', '--eval', script], STEP_MS);
        const docs = JSON.parse(out.trim().split('\n').at(-1)!) as { _id: string; count: number }[];
        stored = new Map(docs.map((d) => [d._id, d.count]));
        return [...stored.values()].reduce((a, b) => a + b, 0) >= total && (await project.lag(['catenae_counter'])) === 0;
      },
      `${total} words stored`,
      STEP_MS,
    );
    assert.deepEqual([...stored].sort(), [...expected].sort());
    await exitedZero(project, 'streamer');
  });
  log(`docker/compose/mongodb-sink.yml: two mappers and two counters stored ${total} words, each word's count exact`);
}

async function exitedZero(project: ComposeProject, service: string): Promise<void> {
  const state = await inspect(await project.container(service));
  assert.deepEqual([state.status, state.exitCode], ['exited', 0], `${service} finished with exit 0`);
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return new Set(a).size === new Set(b).size && b.every((id) => a.includes(id));
}
