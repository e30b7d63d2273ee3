import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CatenaeProcess, KAFKA } from '../support/catenae-process.js';
import { createTopic } from '../support/kafka-admin.js';
import { freePort } from '../support/metrics.js';

// Debian's Chromium (scripts/setup.sh installs it); playwright-core downloads no browser of its own.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling Google's hosts, which this
// machine's closed network refuses; --no-sandbox because tests run as root.
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// DASHBOARD_SCREENSHOT=docs/dashboard.png refreshes the README's picture.
const SCREENSHOT = process.env.DASHBOARD_SCREENSHOT ?? join(tmpdir(), 'catenae-dashboard.png');
const LINES = 'dashboard.lines';
const WORDS = 'dashboard.words';
// Announcing every second makes the test quick; the default is every 10 s.
const LINK_FLAGS = ['--announce-interval', '1000', '--log-level', 'warn'];

/** Polls `read` on the page until `accept` holds; fails naming `what` after `timeoutMs`. */
async function until<T>(page: Page, read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && accept(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(value)}); page: ${(await page.textContent('body'))?.slice(0, 400)}`);
    await delay(200);
  }
}

const number = (text: string | null) => Number((text ?? '').replace(/,/g, ''));

describe('catenae dashboard in a real browser', () => {
  const processes: CatenaeProcess[] = [];
  let browser: Browser;
  let page: Page;
  let url: string;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: bash scripts/setup.sh installs Debian's chromium (or set CHROMIUM_PATH)`);
    // Readable names for the screenshot, kept across runs: a rerun finds them made.
    for (const topic of [LINES, WORDS]) await createTopic(topic, 4).catch((err: Error) => assert.match(err.message, /already exists/));
    processes.push(CatenaeProcess.run('lines', ['-o', LINES, ...LINK_FLAGS], {}, 'dashboard'));
    processes.push(CatenaeProcess.run('splitter', ['-i', LINES, '-o', WORDS, '--retries', '0', '--uid', 'splitter0001', ...LINK_FLAGS], {}, 'dashboard'));
    processes.push(CatenaeProcess.run('splitter', ['-i', LINES, '-o', WORDS, '--retries', '0', '--uid', 'splitter0002', ...LINK_FLAGS], {}, 'dashboard'));
    processes.push(CatenaeProcess.run('counter', ['-i', WORDS, ...LINK_FLAGS], {}, 'dashboard'));
    // Instances of earlier tests announced on the same topic: forget whoever is silent for 10 s
    // (longer than an instance takes to be shown gone: 3 missed announcements and 2 s).
    const dashboard = new CatenaeProcess(['dashboard', '-k', KAFKA, '--port', String(await freePort()), '--forget-after', '10']);
    processes.push(dashboard);
    url = /(http:\/\/\S+)/.exec(await dashboard.waitFor((line) => line.startsWith('catenae dashboard: http'), 30_000, 'the dashboard address'))![1]!;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
    await page.goto(url);
  });

  after(async () => {
    await browser?.close();
    await Promise.all(processes.map((p) => p.stop()));
  });

  it('draws the running links as nodes and their streams as edges', async () => {
    for (const link of ['Lines', 'Splitter', 'Counter']) await page.waitForSelector(`[data-link="${link}"]`, { timeout: 60_000 });
    for (const topic of [LINES, WORDS]) await page.waitForSelector(`[data-topic="${topic}"]`);
    for (const edge of [`link:Lines->topic:${LINES}`, `topic:${LINES}->link:Splitter`, `link:Splitter->topic:${WORDS}`, `topic:${WORDS}->link:Counter`]) {
      assert.equal(await page.locator(`[data-edge="${edge}"]`).count(), 1, edge);
    }
    assert.equal(await page.locator(`[data-topic="${LINES}.dlq"]`).count(), 0, 'dead letters are counted on the link, not drawn as a stream');
    await until(page, () => page.textContent('#connection'), (text) => text === 'live', 'the live connection');
  });

  it('shows live electron rates on the links and edges, and the counts change', async () => {
    const splitterRates = () => page.textContent('[data-link="Splitter"] text[data-line="2"]');
    await until(page, splitterRates, (text) => /^in [1-9][\d,.]*\/s · out [1-9]/.test(text ?? ''), 'the splitter\'s rates');
    await until(page, () => page.textContent(`[data-edge-rate="topic:${WORDS}->link:Counter"] text`), (text) => /^[1-9]/.test(text ?? ''), 'a rate on the counter\'s input edge');
    const frameAt = number(await page.getAttribute('body', 'data-frame-at'));
    await until(page, async () => number(await page.getAttribute('body', 'data-frame-at')), (at) => at > frameAt && at - frameAt < 2500, 'a new frame within a second or so');
    await page.click('[data-link="Splitter"]');
    await page.waitForSelector('h2[data-detail="Splitter"]');
    const total = number(await page.textContent('[data-field="in-total"]'));
    await until(page, async () => number(await page.textContent('[data-field="in-total"]')), (now) => now > total, 'the splitter\'s count to grow');
  });

  it("a link's detail view shows its instances, partitions, lag, errors and dead letters", async () => {
    await until(page, () => page.locator('[data-instance]').count(), (n) => n === 2, 'two splitter instances');
    const partitions = await until(
      page,
      () => page.locator('[data-instance] td[data-partitions]').allTextContents(),
      (cells) => cells.join(' ').split(/\s+/).filter((p) => p.startsWith(LINES)).length === 4,
      'the four input partitions shared by the two instances',
    );
    assert.ok(partitions.every((cell) => cell !== '-'), 'each instance owns partitions');
    await until(page, async () => number(await page.textContent('[data-field="errors"]')), (n) => n > 0, 'errors counted');
    await until(page, async () => number(await page.textContent('[data-field="dead-letters"]')), (n) => n > 0, 'dead letters counted');
    assert.match((await page.locator('.error-line').first().textContent()) ?? '', /refusing ".*poison"/);
    // librdkafka reports lag every 5 s.
    await until(page, () => page.locator('[data-partition]').count(), (n) => n === 4, 'lag per partition', 30_000);
    await page.screenshot({ path: SCREENSHOT });
    process.stderr.write(`dashboard screenshot: ${SCREENSHOT}\n`);
  });

  it('lists RPC methods read-only', async () => {
    await page.click('[data-link="Counter"]');
    await page.waitForSelector('h2[data-detail="Counter"]');
    await page.waitForSelector('[data-rpc="top"]');
    assert.equal(await page.locator('[data-rpc="top"] button').count(), 0, 'no call button without --allow-rpc');
    assert.match((await page.textContent('#detail-rpc')) ?? '', /--allow-rpc/);
  });

  it('an instance killed without a word is shown gone after a few missed announcements', async () => {
    await page.click('[data-link="Splitter"]');
    const killed = processes[1]!;
    killed.child.kill('SIGKILL');
    await killed.exited;
    await until(page, () => page.textContent('[data-instance="splitter0001"] .status'), (status) => status === 'gone', 'splitter0001 shown gone', 20_000);
    assert.equal(await page.textContent('[data-instance="splitter0002"] .status'), 'running');
    assert.match((await page.textContent('[data-link="Splitter"] text[data-line="1"]')) ?? '', /1 instance \(\+1 down\)/);
  });
});
