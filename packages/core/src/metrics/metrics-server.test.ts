import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { EmbeddedBroker, EmbeddedTransportFactory, ErrorCode, defineLink, startLink, type OutgoingRecord, type StateStoreFactory, type TableKey, partitionForKey } from '../index.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

/** The value of one sample of the Prometheus text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(10);
  }
}

function record(topic: string, value: string, key: string | null = null): OutgoingRecord {
  return { topic, partition: undefined, key, value: Buffer.from(value), headers: undefined, timestamp: undefined };
}

describe('--metrics-port', () => {
  it('/health answers while the process runs; /ready is 503 during setup and while stopping, 200 in between; the server closes at stop', async () => {
    const port = await freePort();
    let openSetup!: () => void;
    let openFinish!: () => void;
    const setupGate = new Promise<void>((resolve) => (openSetup = resolve));
    const finishGate = new Promise<void>((resolve) => (openFinish = resolve));
    const link = defineLink({
      name: 'Gated',
      inputs: ['gated_in'],
      transform: () => undefined,
      setup: () => setupGate,
      finish: () => finishGate,
    });
    const transport = new EmbeddedTransportFactory(new EmbeddedBroker());
    const starting = startLink(link, { transport, metricsPort: port, logLevel: 'silent' });
    await until(async () => (await get(port, '/health').catch(() => ({ status: 0 }))).status === 200, '/health');
    const early = await get(port, '/ready');
    assert.equal(early.status, 503);
    assert.match(early.body, /Gated\(.*\) is starting/);
    openSetup();
    const handle = await starting;
    await until(async () => (await get(port, '/ready')).status === 200, '/ready 200');
    const stopped = handle.stop();
    await until(async () => (await get(port, '/ready')).status === 503, '/ready 503 while stopping');
    assert.equal((await get(port, '/health')).status, 200);
    openFinish();
    await stopped;
    await until(async () => (await get(port, '/health').catch(() => ({ status: 0 }))).status === 0, 'the server to close');
  });

  it('counts electrons in and out per topic, handler durations, errors and dead letters, for every link of the process on one server', async () => {
    const port = await freePort();
    const broker = new EmbeddedBroker();
    const transport = new EmbeddedTransportFactory(broker);
    const upper = defineLink({
      name: 'Upper',
      inputs: ['m_words'],
      output: 'm_upper',
      transform: (electron) => {
        if (electron.value === 'boom') throw new Error('no boom please');
        return String(electron.value).toUpperCase();
      },
    });
    const sink = defineLink({ name: 'Sink', inputs: ['m_upper'], transform: async () => delay(5) });
    const handles = [
      await startLink(upper, { transport, metricsPort: port, logLevel: 'silent', retries: 0 }),
      await startLink(sink, { transport, metricsPort: port, logLevel: 'silent' }),
    ];
    try {
      broker.append(['a', 'b', 'c', 'boom', 'd'].map((v) => record('m_words', v)));
      let text = '';
      // Until the sink handled the four, not only fetched them: keyless electrons land on random
      // partitions, so two may queue behind each other there (5 ms each).
      await until(async () => {
        text = (await get(port, '/metrics')).body;
        return sample(text, 'catenae_handler_duration_seconds_count', { link: 'Sink' }) === 4;
      }, 'four electrons handled at the sink');
      assert.equal(sample(text, 'catenae_electrons_in_total', { link: 'Sink', topic: 'm_upper' }), 4);
      assert.equal(sample(text, 'catenae_electrons_in_total', { link: 'Upper', topic: 'm_words' }), 5);
      assert.equal(sample(text, 'catenae_electrons_out_total', { link: 'Upper', topic: 'm_upper' }), 4);
      assert.equal(sample(text, 'catenae_electrons_out_total', { link: 'Upper', topic: 'm_words.dlq' }), 1);
      assert.equal(sample(text, 'catenae_handler_errors_total', { link: 'Upper', topic: 'm_words' }), 1);
      assert.equal(sample(text, 'catenae_dead_letters_total', { link: 'Upper', topic: 'm_words' }), 1);
      assert.equal(sample(text, 'catenae_handler_duration_seconds_count', { link: 'Upper' }), 5);
      assert.equal(sample(text, 'catenae_handler_duration_seconds_count', { link: 'Sink' }), 4);
      // The sink's handler waits 5 ms (libuv's cached clock may make a timer fire a little early).
      assert.ok(sample(text, 'catenae_handler_duration_seconds_sum', { link: 'Sink' }) >= 0.015);
      assert.equal(sample(text, 'catenae_rebalances_total', { link: 'Sink' }), 1);
      assert.equal(sample(text, 'catenae_link_running', { link: 'Upper' }), 1);
      // prom-client's process metrics ride along.
      assert.ok(sample(text, 'process_resident_memory_bytes') > 0);
      assert.ok(text.includes('nodejs_eventloop_lag_p99_seconds'));
    } finally {
      await Promise.all(handles.map((handle) => handle.stop()));
    }
  });

  it('a link restoring its tables is not ready; restored records and table entries are counted', async () => {
    const port = await freePort();
    const broker = new EmbeddedBroker({ defaultPartitions: 2 });
    const transport = new EmbeddedTransportFactory(broker);
    // The changelog a previous instance left: 300 changes of 30 keys.
    broker.createTopic('catenae_kept.counts.changelog', 2);
    broker.append(Array.from({ length: 300 }, (_, i) => ({ ...record('catenae_kept.counts.changelog', `${i}`, `k${i % 30}`), value: Buffer.from(JSON.stringify(i)), headers: [{ 'catenae-codec': 'json' }], partition: partitionForKey(Buffer.from(`k${i % 30}`), 2) })));
    let openStore!: () => void;
    const storeGate = new Promise<void>((resolve) => (openStore = resolve));
    const gatedStore: StateStoreFactory = {
      kind: 'gated',
      dir: '/nowhere',
      // A store that answers once let: the restore waits for it, as for a lock held elsewhere.
      async open() {
        await storeGate;
        const entries = new Map<TableKey, Buffer>();
        return {
          checkpoint: 0,
          checkpointAt: undefined,
          get: (key) => entries.get(key),
          entries: () => entries.entries(),
          count: () => entries.size,
          async write(written) {
            for (const [key, value] of written) value === undefined ? entries.delete(key) : entries.set(key, value);
          },
          async clear() {
            entries.clear();
          },
          async close() {},
        };
      },
    };
    const link = defineLink({ name: 'Kept', inputs: ['kept_in'], tables: { counts: { codec: 'json' } }, transform: () => undefined });
    const handle = await startLink(link, { transport, metricsPort: port, logLevel: 'silent', stateStore: gatedStore });
    try {
      await until(async () => (await get(port, '/ready')).body.includes('restores its tables'), '/ready saying the tables are restored');
      assert.equal((await get(port, '/ready')).status, 503);
      assert.equal(sample((await get(port, '/metrics')).body, 'catenae_table_restoring', { link: 'Kept' }), 1);
      openStore();
      await until(async () => (await get(port, '/ready')).status === 200, '/ready 200 once restored');
      const text = (await get(port, '/metrics')).body;
      assert.equal(sample(text, 'catenae_table_restored_records_total', { link: 'Kept' }), 300);
      assert.equal(sample(text, 'catenae_table_restoring', { link: 'Kept' }), 0);
      assert.equal(sample(text, 'catenae_table_entries', { link: 'Kept', table: 'counts' }), 30);
      assert.equal(handle.ctx.tables.counts!.get("k7"), 277);
    } finally {
      await handle.stop();
    }
  });

  it('counts RPC calls and their durations on both sides', async () => {
    const port = await freePort();
    const transport = new EmbeddedTransportFactory(new EmbeddedBroker());
    const counter = defineLink({ name: 'Counter', rpc: { add: (args: { n: number }) => args.n + 1, fail: () => { throw new Error('nope'); } } });
    const caller = defineLink({ name: 'Caller', rpc: { ping: () => 'pong' } });
    const handles = [
      await startLink(counter, { transport, metricsPort: port, logLevel: 'silent' }),
      await startLink(caller, { transport, metricsPort: port, logLevel: 'silent' }),
    ];
    try {
      const rpc = handles[1]!.ctx.rpc;
      assert.equal(await rpc.call('Counter', 'add', { n: 1 }), 2);
      await assert.rejects(rpc.call('Counter', 'fail', {}), { code: ErrorCode.RpcFailed });
      const text = (await get(port, '/metrics')).body;
      assert.equal(sample(text, 'catenae_rpc_calls_total', { link: 'Counter', method: 'add', role: 'served', outcome: 'ok' }), 1);
      assert.equal(sample(text, 'catenae_rpc_calls_total', { link: 'Counter', method: 'fail', role: 'served', outcome: 'error' }), 1);
      assert.equal(sample(text, 'catenae_rpc_calls_total', { link: 'Caller', method: 'add', role: 'called', outcome: 'ok' }), 1);
      assert.equal(sample(text, 'catenae_rpc_duration_seconds_count', { link: 'Caller', method: 'add', role: 'called' }), 1);
    } finally {
      await Promise.all(handles.map((handle) => handle.stop()));
    }
  });

  it('refuses a bad port, one in use, and a second port in one process', async () => {
    const link = defineLink({ name: 'Ported', inputs: ['ported_in'], transform: () => undefined });
    const transport = new EmbeddedTransportFactory(new EmbeddedBroker());
    await assert.rejects(startLink(link, { transport, metricsPort: 70000, logLevel: 'silent' }), { code: ErrorCode.BadFlag });
    const taken = createServer().listen(0, '0.0.0.0');
    await new Promise((resolve) => taken.once('listening', resolve));
    const takenPort = (taken.address() as { port: number }).port;
    try {
      await assert.rejects(startLink(link, { transport, metricsPort: takenPort, logLevel: 'silent' }), /port is in use/);
    } finally {
      taken.close();
    }
    const first = await startLink(link, { transport, metricsPort: await freePort(), logLevel: 'silent', uid: 'aaaaaaaaaaaa' });
    try {
      await assert.rejects(startLink(link, { transport, metricsPort: await freePort(), logLevel: 'silent', uid: 'bbbbbbbbbbbb' }), {
        code: ErrorCode.BadFlag,
        message: /already serves metrics/,
      });
    } finally {
      await first.stop();
    }
  });
});
