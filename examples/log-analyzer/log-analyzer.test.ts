import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Electron, EmbeddedBroker, TestDriver } from '@catenae/core';
import { Analyzer, type UserSummary } from './analyzer.js';
import { sortSummaries, summarizeDirectly } from './direct-summary.js';
import { Distributor } from './distributor.js';
import { LogSource } from './source.js';
import { closingWebLogs, formatWebLog, sampleStart, sampleWebLogs, type WebLog } from './web-log.js';

const DAY = Date.UTC(2026, 0, 1);

/** The summaries of the sample's own windows (not those of the closing requests, two hours later). */
function summariesOf(driver: TestDriver, logs: readonly WebLog[]): UserSummary[] {
  const last = Math.max(...logs.map((log) => log.time));
  return sortSummaries(driver.read<UserSummary>('user_summaries').map((e) => e.value).filter((s) => Date.parse(s.from) <= last));
}

async function analyze(lines: readonly string[], instances = 1): Promise<TestDriver> {
  const driver = await TestDriver.start([Distributor, Analyzer], { instances: { Analyzer: instances } });
  for (const line of lines) await driver.send('web_logs', line);
  await driver.drain();
  return driver;
}

test('two analyzers share the users and emit one summary per user and hour window, as a direct count finds', async () => {
  const logs = sampleWebLogs(1500, DAY, 2);
  const driver = await analyze([...logs, ...closingWebLogs(logs)].map(formatWebLog), 2);
  try {
    const summaries = summariesOf(driver, logs);
    assert.deepEqual(summaries, sortSummaries(summarizeDirectly(logs)));
    assert.ok(summaries.length > 8 * 24, `${summaries.length} summaries`);
    assert.ok(driver.instances('Analyzer').every((analyzer) => analyzer.ctx.tables.activity!.size > 0), 'both analyzers hold users');
  } finally {
    await driver.close();
  }
});

test('logs out of order within the two-minute grace change nothing', async () => {
  const logs = sampleWebLogs(600, DAY, 1);
  // Neighbours swapped: each pair arrives in reverse, at most a few seconds apart.
  const shuffled = logs.map((_, i) => logs[i % 2 === 0 ? Math.min(i + 1, logs.length - 1) : i - 1]!);
  const driver = await analyze([...shuffled, ...closingWebLogs(logs)].map(formatWebLog));
  try {
    assert.deepEqual(summariesOf(driver, logs), sortSummaries(summarizeDirectly(logs)));
  } finally {
    await driver.close();
  }
});

test('a log later than its windows plus grace is counted out and goes to user_logs.late', async () => {
  // Two hours of logs, then one from the first minute: every window holding it ended over an hour ago.
  const logs = sampleWebLogs(600, DAY, 2);
  const stray = { ...logs[0]!, path: '/very-late' };
  const lines = [...logs.map(formatWebLog), formatWebLog(stray), ...closingWebLogs(logs).map(formatWebLog)];
  const driver = await analyze(lines);
  try {
    assert.deepEqual(summariesOf(driver, logs), sortSummaries(summarizeDirectly(logs)), 'the stray log is in no summary');
    const late = driver.read<WebLog>('user_logs.late');
    assert.deepEqual(late.map((e) => [e.key, e.value.path]), [[stray.user, '/very-late']]);
  } finally {
    await driver.close();
  }
});

test('the source streams the sample, and a user\'s hour is asked of its analyzer by key', async () => {
  const driver = await TestDriver.start([LogSource, Distributor, Analyzer], {
    broker: new EmbeddedBroker(),
    links: { LogSource: { args: ['--count', '400', '--hours', '1'] } },
  });
  try {
    await driver.drain();
    assert.equal(driver.read('web_logs').length, 400);
    const [first] = driver.read<WebLog>('user_logs');
    const end = Math.floor(first!.value.time / 300_000) * 300_000 + 3_600_000;
    const hour = (await driver.rpc({ link: 'Analyzer', key: first!.key! }, 'hour', { user: first!.key, at: end })) as { requests: number } | undefined;
    assert.ok(hour !== undefined && hour.requests >= 1, JSON.stringify(hour));
    await driver.send('web_logs', 'not a log line');
    await driver.drain();
    assert.equal(driver.read('web_logs.dlq').length, 1);
    assert.ok(driver.read('user_logs').every((e) => e.timestamp === (e.value as WebLog).time), 'each request carries its event time');
    assert.equal(new Electron({ value: 1 }).value, 1);
  } finally {
    await driver.close();
  }
});

test('the sample of the source, its closing requests included, lies in the past even just after midnight', () => {
  const justAfterMidnight = Date.UTC(2026, 11, 7, 0, 30);
  const start = sampleStart(justAfterMidnight);
  assert.equal(start, Date.UTC(2026, 11, 6));
  const closing = closingWebLogs(sampleWebLogs(2000, start, 3));
  assert.ok(closing.every((log) => log.time < justAfterMidnight), 'Kafka refuses records stamped more than an hour ahead');
});
