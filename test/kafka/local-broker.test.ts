// kafkaUp / kafkaDown, the local broker behind `catenae kafka up|down`. The restart cycle runs a
// second broker of its own, on KAFKA_CYCLE_PORT or a free port, with a fresh data dir.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, type RawRecord } from '@catenae/core';
import { createKafkaTransport, kafkaDown, kafkaUp } from '@catenae/kafka';
import { fetchUntil, KAFKA_BOOTSTRAP, outgoing, produceAll, uniqueName, waitFor } from '../helpers/kafka.js';

let scratch = '';
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'catenae-kafka-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('kafkaUp and kafkaDown', { timeout: 180_000 }, () => {
  const local = /^127\.0\.0\.1:(\d+)$/.exec(KAFKA_BOOTSTRAP);

  it('kafkaUp returns at once when the broker already answers', { skip: local === null && 'KAFKA_BOOTSTRAP is not local' }, async () => {
    const started = Date.now();
    const up = await kafkaUp({ port: Number(local![1]) });
    assert.equal(up.alreadyRunning, true);
    assert.equal(up.bootstrap, KAFKA_BOOTSTRAP);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });

  it('kafkaDown with no broker running is fine', async () => {
    assert.equal(await kafkaDown({ port: 19_998, dataDir: join(scratch, 'none') }), false);
  });

  it('kafkaUp refuses a port some other server holds, naming it', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await assert.rejects(kafkaUp({ port, dataDir: join(scratch, 'taken'), cacheDir: join(scratch, 'cache') }), {
        code: ErrorCode.Broker,
        message: `port ${port} is taken by something that is not a Kafka broker`,
      });
    } finally {
      server.close();
    }
  });

  it('a port outside 1..65534 is a bad flag', async () => {
    await assert.rejects(kafkaUp({ port: 65_535 }), { code: ErrorCode.BadFlag });
    await assert.rejects(kafkaDown({ port: -1 }), { code: ErrorCode.BadFlag });
  });

  // A broker of its own, fresh: restarting the suite's broker, which holds thousands of partitions
  // by the time this file runs, takes minutes on two cores.
  it('down stops the broker and up brings it back with its topics', { skip: local === null && 'KAFKA_BOOTSTRAP is not local' }, async () => {
    const port = Number(process.env['KAFKA_CYCLE_PORT'] ?? (await freePortPair()));
    const where = { port, dataDir: join(scratch, 'cycle') };
    const bootstrap = `127.0.0.1:${port}`;
    try {
      const first = await kafkaUp(where);
      assert.equal(first.alreadyRunning, false);
      assert.ok(first.pid !== undefined);
      const topic = uniqueName('cycle');
      const factory = createKafkaTransport({ brokers: bootstrap });
      const producer = factory.create({ clientId: uniqueName('cycle') });
      await producer.connect();
      await producer.ensureTopics([{ topic, partitions: 1 }]);
      await produceAll(producer, [outgoing(topic, null, 'kept')]);
      await producer.close();
      assert.equal((await kafkaUp(where)).pid, first.pid, 'a second up starts nothing');
      assert.equal(await kafkaDown(where), true);
      // Gone, and reaped: this process started it.
      await waitFor(() => !isAlive(first.pid!), 'the broker process to go', 5000);
      assert.equal(await kafkaDown(where), false);
      const second = await kafkaUp(where);
      assert.equal(second.alreadyRunning, false);
      const consumer = factory.create({ clientId: uniqueName('cycle'), groupId: uniqueName('cycle') });
      await consumer.connect();
      consumer.subscribe([topic], { onAssigned() {}, onRevoked() {} });
      const received: RawRecord[] = [];
      await fetchUntil(consumer, received, () => received.length === 1, 'the record produced before the restart');
      assert.equal(received[0]!.value?.toString(), 'kept');
      await consumer.close();
    } finally {
      await kafkaDown(where);
    }
  });
});

/** A port whose next one is free too (the controller's), below the kernel's ephemeral range. */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if ((await canListen(port)) && (await canListen(port + 1))) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
