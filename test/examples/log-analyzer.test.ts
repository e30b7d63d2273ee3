// examples/log-analyzer as its README runs it, on the real broker: a source with logs out of
// order and late, a distributor, two analyzers; the summaries equal a direct count of the sample.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { uniqueTopic, type CatenaeProcess } from '../support/catenae-process.js';
import { exampleFile, runExample, stopAll } from './example-process.js';
import { readTopic } from '../support/kafka-admin.js';

// The example's own modules, as compiled: the sample it sends and the direct count of it.
interface UserSummary {
  user: string;
  from: string;
}
const { sortSummaries, summarizeDirectly } = (await import(exampleFile('log-analyzer/direct-summary.js'))) as {
  sortSummaries(s: UserSummary[]): UserSummary[];
  summarizeDirectly(logs: unknown[]): UserSummary[];
};
const { sampleStart, sampleWebLogs } = (await import(exampleFile('log-analyzer/web-log.js'))) as { sampleStart(): number; sampleWebLogs(count: number, start: number, hours: number): { time: number }[] };

const running: CatenaeProcess[] = [];
afterEach(() => stopAll(running));

describe('examples/log-analyzer on Kafka', { timeout: 180_000 }, () => {
  it('two analyzers summarize every user\'s hours as a direct count does, with logs out of order and late', async () => {
    const [lines, logs, summaries, group] = ['web_logs', 'user_logs', 'user_summaries', 'analyzer'].map(uniqueTopic) as [string, string, string, string];
    // JSON summaries, so a plain consumer reads them.
    const analyzers = [0, 1].map(() => runExample(running, 'log-analyzer/analyzer.js', ['-i', logs, '-o', summaries, '-g', group, '--codec', 'json']));
    runExample(running, 'log-analyzer/distributor.js', ['-i', lines, '-o', logs, '-g', uniqueTopic('distributor')]);
    await Promise.all(analyzers.map((analyzer) => analyzer.waitFor((line) => line.includes('assigned') && line.includes(logs), 60_000, 'an assignment')));
    const source = runExample(running, 'log-analyzer/source.js', ['-o', lines, '--', '--count', '1500', '--hours', '2', '--disorder', '--late', '5', '--close']);
    assert.equal(await source.exited, 0, source.stderr.join('\n'));

    // The sample as the source made it: from the start of yesterday (UTC).
    const sample = sampleWebLogs(1500, sampleStart(), 2);
    const expected = sortSummaries(summarizeDirectly(sample));
    const last = Math.max(...sample.map((log) => log.time));
    const ofSample = (records: { value: string }[]) => records.map((r) => JSON.parse(r.value) as UserSummary).filter((s) => Date.parse(s.from) <= last);
    const records = await readTopic(summaries, (r) => ofSample(r).length >= expected.length, { idleMs: 3000, timeoutMs: 120_000 });
    assert.deepEqual(sortSummaries(ofSample(records)), expected);
    const late = await readTopic(`${logs}.late`, (r) => r.length >= 5, { idleMs: 1000, timeoutMs: 30_000 });
    assert.equal(late.length, 5, 'the five late logs, and nothing else');
  });
});
