import { mkdir, open as openFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CatenaeError, ErrorCode, type ShardId, type ShardStore, type StateStoreFactory } from '@catenae/core';
import { open, type RootDatabase } from 'lmdb';
import { LmdbShardStore } from './lmdb-shard-store.js';
import { ShardLock } from './shard-lock.js';

/**
 * Keeps each table shard in an LMDB environment of its own under
 * `<dir>/<consumer group>/<table>/<partition>/`, locked by a file there while a process holds it.
 * A store that cannot be opened (corrupt, or from an incompatible version) is removed and created
 * empty with one warning: the changelog rebuilds it.
 * @publicApi
 */
export class LmdbStateStore implements StateStoreFactory {
  readonly kind = 'lmdb';
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  async open(shard: ShardId, options: OpenOptions): Promise<ShardStore> {
    const path = join(this.dir, safe(shard.group), safe(shard.table), String(shard.partition));
    const what = `shard ${shard.partition} of table ${shard.table}`;
    try {
      await mkdir(path, { recursive: true });
    } catch (err) {
      throw new CatenaeError(ErrorCode.State, `--state-dir ${this.dir} is not usable: cannot create ${path}: ${(err as Error).message}`, { cause: err });
    }
    const lock = await ShardLock.acquire(join(path, 'owner.lock'), what, options.lockTimeoutMs);
    try {
      return new LmdbShardStore(await openEnv(path, what, options.logger), lock);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }
}

type OpenOptions = Parameters<StateStoreFactory['open']>[1];

async function openEnv(path: string, what: string, logger: OpenOptions['logger']): Promise<RootDatabase> {
  const dbPath = join(path, 'store');
  const damage = await damageOf(join(dbPath, 'data.mdb'));
  if (damage === undefined) {
    try {
      return openAt(dbPath);
    } catch (err) {
      logger.warn(`the local store of ${what} cannot be opened (${(err as Error).message}); rebuilding it from the changelog`);
    }
  } else {
    logger.warn(`the local store of ${what} cannot be opened (${damage}); rebuilding it from the changelog`);
  }
  await rm(dbPath, { recursive: true, force: true });
  try {
    return openAt(dbPath);
  } catch (err) {
    throw new CatenaeError(ErrorCode.State, `cannot create the local store of ${what} in ${dbPath}: ${(err as Error).message}`, { cause: err });
  }
}

// One map of 16 GiB; not on Windows, where LMDB makes the file as large as its map.
const MAP_OPTIONS = process.platform === 'win32' ? {} : { mapSize: 16 * 2 ** 30 };

function openAt(dbPath: string): RootDatabase {
  // One map, large from the start (address space only: the file grows as data is written). lmdb
  // otherwise starts with a small map and maps the file again each time it grows, keeping the old
  // maps and their resident pages: a 10M-key table had 1.2 GB resident for a 423 MB store.
  // A store that outgrows it is mapped again, as before.
  const env = open({ path: dbPath, maxDbs: 4, ...MAP_OPTIONS });
  // Opening is lazy: read once so a damaged file fails here, not at the first electron.
  env.openDB({ name: 'meta' }).get('checkpoint');
  return env;
}

// LMDB trusts its file: opening a damaged one can crash the process (a segfault, not an error),
// so a file without LMDB's meta page magic is never opened. Deeper damage is not detected.
const LMDB_MAGIC = Buffer.from([0xde, 0xc0, 0xef, 0xbe]);

async function damageOf(file: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await openFile(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead < head.length || head.indexOf(LMDB_MAGIC) < 0) return 'its data file is not an LMDB file';
    return undefined;
  } finally {
    await handle.close();
  }
}

// Group and table names become directory names.
function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
