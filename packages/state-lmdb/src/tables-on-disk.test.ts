import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagnosticsChannel, EmbeddedBroker, Electron, Link, Table, TestDriver, Transform, type KeyedTable, type RestoreMessage } from '@catenae/core';
import { LmdbStateStore } from './lmdb-state-store.js';

@Link({ inputs: ['words'], output: 'counts' })
class DiskCounter {
  @Table() counts!: KeyedTable<string, number>;

  @Transform()
  count(electron: Electron) {
    const n = (this.counts.get(electron.key!) ?? 0) + 1;
    this.counts.set(electron.key!, n);
    return new Electron({ key: electron.key, value: n });
  }
}

/** Runs `fn` and returns the changelog records the restores it caused read. */
async function restoredDuring(fn: () => Promise<void>): Promise<number> {
  let records = 0;
  const onRestore = (message: unknown) => {
    const { phase, records: read } = message as RestoreMessage;
    if (phase === 'done') records += read;
  };
  subscribe(DiagnosticsChannel.restore, onRestore);
  try {
    await fn();
  } finally {
    unsubscribe(DiagnosticsChannel.restore, onRestore);
  }
  return records;
}

async function sendWords(driver: TestDriver, count: number, keys: number, from = 0): Promise<void> {
  for (let i = from; i < from + count; i++) await driver.send('words', new Electron({ key: `w${i % keys}`, value: 1 }));
}

describe('tables in a state directory', () => {
  it('a restart reads only the changelog tail that the local store does not hold', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'catenae-tables-'));
    const broker = new EmbeddedBroker();
    const links = { DiskCounter: { stateStore: new LmdbStateStore(dir) } };
    try {
      const first = await TestDriver.start([DiskCounter], { broker, links });
      await sendWords(first, 2000, 50);
      await first.drain();
      await first.close();
      const changelog = broker.topicRecords('catenae_diskcounter.counts.changelog').length;
      assert.ok(changelog >= 50, `${changelog} changelog records`);
      let second: TestDriver | undefined;
      const replayed = await restoredDuring(async () => {
        second = await TestDriver.start([DiskCounter], { broker, links });
        await second.drain();
      });
      try {
        assert.equal(replayed, 0, 'a clean stop leaves nothing to replay');
        const counts = second!.table<string, number>('DiskCounter', 'counts');
        assert.equal(counts.size, 50);
        for (const n of counts.values()) assert.equal(n, 40);
        await sendWords(second!, 100, 50);
        await second!.drain();
        assert.equal(second!.table('DiskCounter', 'counts').get('w7'), 42);
      } finally {
        await second?.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without its local store, a shard is rebuilt from the whole changelog', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'catenae-tables-'));
    const broker = new EmbeddedBroker();
    try {
      const first = await TestDriver.start([DiskCounter], { broker, links: { DiskCounter: { stateStore: new LmdbStateStore(dir) } } });
      await sendWords(first, 500, 25);
      await first.drain();
      await first.close();
      await rm(dir, { recursive: true, force: true });
      const changelog = broker.topicRecords('catenae_diskcounter.counts.changelog').length;
      let second: TestDriver | undefined;
      const replayed = await restoredDuring(async () => {
        second = await TestDriver.start([DiskCounter], { broker, links: { DiskCounter: { stateStore: new LmdbStateStore(dir) } } });
        await second.drain();
      });
      try {
        assert.equal(replayed, changelog);
        for (const n of second!.table<string, number>('DiskCounter', 'counts').values()) assert.equal(n, 20);
      } finally {
        await second?.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('more keys than the decoded cache holds are read back from the store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'catenae-tables-'));
    const broker = new EmbeddedBroker({ defaultPartitions: 1 });
    try {
      const driver = await TestDriver.start([DiskCounter], { broker, links: { DiskCounter: { stateStore: new LmdbStateStore(dir) } } });
      try {
        await sendWords(driver, 30_000, 30_000);
        await sendWords(driver, 30_000, 30_000);
        await driver.drain();
        await driver.instances('DiskCounter')[0]!.commitNow();
        const counts = driver.table<string, number>('DiskCounter', 'counts');
        assert.equal(counts.size, 30_000);
        for (const n of counts.values()) assert.equal(n, 2);
      } finally {
        await driver.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
