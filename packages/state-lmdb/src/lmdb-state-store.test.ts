import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@catenae/core';
import { LmdbStateStore } from './lmdb-state-store.js';

const warnings: string[] = [];
const logger = { warn: (line: string) => warnings.push(line) } as never;
const shard = { group: 'catenae_counter', table: 'counts', partition: 2 };

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'catenae-lmdb-'));
}

describe('LmdbStateStore', () => {
  it('keeps values and the checkpoint across a reopen, string and number keys apart', async () => {
    const dir = await tempDir();
    try {
      const states = new LmdbStateStore(dir);
      const store = await states.open(shard, { logger, lockTimeoutMs: 1000 });
      assert.equal(store.checkpoint, 0);
      assert.equal(store.checkpointAt, undefined);
      await store.write(
        [
          ['a', Buffer.from('1')],
          [7, Buffer.from('seven')],
          ['7', Buffer.from('text')],
        ],
        42,
      );
      await store.write([['a', undefined]], 43);
      await store.close();
      const again = await states.open(shard, { logger, lockTimeoutMs: 1000 });
      try {
        assert.equal(again.checkpoint, 43);
        assert.ok(again.checkpointAt! > Date.now() - 60_000);
        assert.equal(again.get('a'), undefined);
        assert.equal(again.get(7)?.toString(), 'seven');
        assert.equal(again.get('7')?.toString(), 'text');
        assert.equal(again.count(), 2);
        assert.deepEqual([...again.entries()].map(([k, v]) => [k, v.toString()]).sort(), [
          ['7', 'text'],
          [7, 'seven'],
        ].sort());
        await again.clear();
        assert.equal(again.count(), 0);
        assert.equal(again.checkpoint, 0);
      } finally {
        await again.close();
      }
      assert.deepEqual(await readdir(join(dir, 'catenae_counter', 'counts')), ['2']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a growing store is mapped once, so its pages are resident once', { skip: process.platform !== 'linux' && 'reads /proc/self/maps' }, async () => {
    const dir = await tempDir();
    try {
      const store = await new LmdbStateStore(dir).open(shard, { logger, lockTimeoutMs: 1000 });
      try {
        const value = Buffer.alloc(100, 1);
        for (let batch = 0; batch < 20; batch++) {
          await store.write(Array.from({ length: 5000 }, (_, i) => [`key-${batch}-${i}`, value] as [string, Buffer]), batch + 1);
        }
        const file = join(dir, 'catenae_counter', 'counts', '2', 'store', 'data.mdb');
        assert.ok((await stat(file)).size > 8 * 2 ** 20, 'the store grew past a few maps of lmdb\'s default');
        const maps = (await readFile('/proc/self/maps', 'utf8')).split('\n').filter((line) => line.endsWith(file));
        assert.equal(maps.length, 1, maps.join('\n'));
        assert.equal(store.count(), 100_000);
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a shard held by a live process waits, then fails with CATENAE_STATE naming the holder', async () => {
    const dir = await tempDir();
    try {
      const states = new LmdbStateStore(dir);
      const held = await states.open(shard, { logger, lockTimeoutMs: 1000 });
      await assert.rejects(states.open(shard, { logger, lockTimeoutMs: 300 }), (err: Error & { code?: string }) => {
        assert.equal(err.code, ErrorCode.State);
        assert.match(err.message, new RegExp(`shard 2 of table counts is locked by process ${process.pid}`));
        return true;
      });
      // Handed over while the next one waits: it gets the shard.
      const waiting = states.open(shard, { logger, lockTimeoutMs: 5000 });
      setTimeout(() => void held.close(), 200);
      await (await waiting).close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a lock left by a killed process of this host is taken over', async () => {
    const dir = await tempDir();
    try {
      const child = spawn(process.execPath, ['-e', '0']);
      const deadPid = child.pid!;
      await new Promise((resolve) => child.on('exit', resolve));
      const path = join(dir, 'catenae_counter', 'counts', '2');
      await mkdir(path, { recursive: true });
      await writeFile(join(path, 'owner.lock'), JSON.stringify({ pid: deadPid, host: hostname(), since: 'then' }));
      const store = await new LmdbStateStore(dir).open(shard, { logger, lockTimeoutMs: 200 });
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a store that cannot be opened is rebuilt empty with one warning', async () => {
    const dir = await tempDir();
    try {
      const states = new LmdbStateStore(dir);
      const store = await states.open(shard, { logger, lockTimeoutMs: 1000 });
      await store.write([['a', Buffer.from('1')]], 5);
      await store.close();
      await writeFile(join(dir, 'catenae_counter', 'counts', '2', 'store', 'data.mdb'), 'not an lmdb file at all, just some text');
      warnings.length = 0;
      const rebuilt = await states.open(shard, { logger, lockTimeoutMs: 1000 });
      try {
        assert.equal(rebuilt.checkpoint, 0);
        assert.equal(rebuilt.count(), 0);
        assert.equal(warnings.length, 1);
        assert.match(warnings[0]!, /cannot be opened.*rebuilding it from the changelog/);
      } finally {
        await rebuilt.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an unwritable state directory fails with CATENAE_STATE naming it', async () => {
    const dir = await tempDir();
    try {
      const blocked = join(dir, 'file-not-dir');
      await writeFile(blocked, 'x');
      await chmod(blocked, 0o400);
      await assert.rejects(new LmdbStateStore(join(blocked, 'state')).open(shard, { logger, lockTimeoutMs: 100 }), (err: Error & { code?: string }) => {
        assert.equal(err.code, ErrorCode.State);
        assert.match(err.message, /--state-dir .*file-not-dir\/state is not usable/);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
