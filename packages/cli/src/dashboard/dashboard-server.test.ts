import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { EmbeddedBroker, EmbeddedTransportFactory, Link, Rpc, Transform, startLink, type Electron, type LinkHandle } from '@catenae/core';
import type { DashboardFrame } from './dashboard-server.js';
import { startDashboard, type Dashboard } from './start-dashboard.js';

@Link({ inputs: ['dash_in'], output: 'dash_out' })
class Shout {
  @Transform()
  shout(e: Electron<string>) {
    return e.value.toUpperCase();
  }
  @Rpc() ping(args: unknown) {
    return { pong: args };
  }
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function until<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** Reads server-sent events until `count` frames came; resolves with them. */
function frames(url: string, count: number): Promise<DashboardFrame[]> {
  return new Promise((resolve, reject) => {
    const got: DashboardFrame[] = [];
    const req = request(`${url}/events`, (res) => {
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split('\n').find((line) => line.startsWith('data: '));
          if (data) got.push(JSON.parse(data.slice(6)) as DashboardFrame);
          if (got.length === count) {
            req.destroy();
            resolve(got);
          }
        }
      });
    });
    req.on('error', (err) => (got.length >= count ? undefined : reject(err)));
    req.end();
  });
}

describe('catenae dashboard on the embedded broker', () => {
  const broker = new EmbeddedBroker();
  const transport = new EmbeddedTransportFactory(broker);
  let link: LinkHandle;
  let dashboard: Dashboard;

  before(async () => {
    link = await startLink(Shout, { transport, announceIntervalMs: 50, logLevel: 'silent' });
    dashboard = await startDashboard({ transport, kafka: 'embedded', port: 0, host: '127.0.0.1', frameIntervalMs: 100 });
  });
  after(async () => {
    await dashboard.close();
    await link.stop();
  });

  it('shows the running link, its streams and its figures as JSON', async () => {
    broker.append(Array.from({ length: 10 }, (_, i) => ({ topic: 'dash_in', partition: undefined, key: null, value: Buffer.from(`w${i}`), headers: undefined, timestamp: undefined })));
    const frame = await until(async () => {
      const f = JSON.parse((await get(`${dashboard.url}/api/topology`)).body) as DashboardFrame;
      return f.links[0]?.inTotal === 10 ? f : undefined;
    }, 'the link and its counts');
    assert.equal(frame.links[0]!.name, 'Shout');
    assert.equal(frame.links[0]!.live, 1);
    assert.deepEqual(frame.links[0]!.rpcMethods, ['ping']);
    assert.deepEqual(frame.drawing.nodes.map((n) => n.id).sort(), ['link:Shout', 'topic:dash_in', 'topic:dash_out']);
    assert.deepEqual(frame.drawing.edges.map((e) => `${e.from}->${e.to}`).sort(), ['link:Shout->topic:dash_out', 'topic:dash_in->link:Shout']);
    assert.equal(frame.canCallRpc, false);
  });

  it('serves the page and its files from the package, with nothing loaded from elsewhere', async () => {
    const page = await get(`${dashboard.url}/`);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    // The SVG namespace is a name, not an address that is loaded.
    const outside = (body: string) => body.replaceAll('http://www.w3.org/2000/svg', '');
    assert.doesNotMatch(outside(page.body), /https?:\/\//, 'no address outside the dashboard');
    for (const file of ['/app.js', '/style.css']) {
      const asset = await get(`${dashboard.url}${file}`);
      assert.equal(asset.status, 200, file);
      assert.doesNotMatch(outside(asset.body), /https?:\/\//, `${file} loads nothing from elsewhere`);
    }
    assert.equal((await get(`${dashboard.url}/nothing`)).status, 404);
  });

  it('sends a frame at least once a second over server-sent events', async () => {
    const started = Date.now();
    const got = await frames(dashboard.url, 3);
    assert.ok(Date.now() - started < 1500);
    assert.ok(got[2]!.at > got[0]!.at);
  });

  it('reads only: no RPC, no other method, and no host but localhost', async () => {
    const rpc = await get(`${dashboard.url}/api/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ link: 'Shout', method: 'ping', args: 1 }) });
    assert.equal(rpc.status, 403);
    assert.match(rpc.body, /--allow-rpc/);
    assert.equal((await get(`${dashboard.url}/api/topology`, { method: 'DELETE' })).status, 405);
    const rebound = await get(`${dashboard.url}/`, { headers: { host: 'attacker.example:8080' } });
    assert.equal(rebound.status, 403, 'a page of another name resolving to this machine is refused');
  });

  it('with --allow-rpc, calls the @Rpc() methods a link announced, and nothing else', async () => {
    const callable = await startDashboard({ transport, kafka: 'embedded', port: 0, host: '127.0.0.1', allowRpc: true });
    try {
      await until(async () => ((await get(`${callable.url}/api/topology`)).body.includes('"Shout"') ? true : undefined), 'the link');
      const post = (body: unknown, headers: Record<string, string> = {}) =>
        get(`${callable.url}/api/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const ok = await post({ link: 'Shout', method: 'ping', args: 7 });
      assert.equal(ok.status, 200, ok.body);
      assert.deepEqual(JSON.parse(ok.body), { result: { pong: 7 } });
      const notRpc = await post({ link: 'Shout', method: 'shout', args: 'x' });
      assert.equal(notRpc.status, 400);
      assert.match(notRpc.body, /not an @Rpc\(\) method/);
      assert.equal((await post({ link: 'Shout', method: 'ping' }, { origin: 'http://attacker.example' })).status, 403, 'a call from another origin is refused');
      assert.equal((await get(`${callable.url}/api/rpc`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })).status, 403, 'a form post is refused');
    } finally {
      await callable.close();
    }
  });
});
