import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { CatenaeError, ErrorCode } from '@catenae/core';

const RETRY_MS = 100;
/** Lock files this process holds: its own pid in a lock file it does not hold is a previous life's. */
const heldHere = new Set<string>();

/** Who holds a shard, as its lock file says. */
interface Owner {
  pid: number;
  host: string;
  since: string;
}

/**
 * A lock file in a shard's directory, so two processes never open one shard at once (LMDB itself
 * lets several processes share an environment). Created exclusively; a lock left by a process of
 * this host that is no longer alive (killed) is taken over.
 */
export class ShardLock {
  readonly #path: string;
  #held = false;

  private constructor(path: string) {
    this.#path = path;
  }

  /**
   * Takes the lock, waiting up to `timeoutMs` while a live process holds it (another instance
   * hands the shard over at the end of a rebalance).
   * @throws CatenaeError `CATENAE_STATE` naming the holder when it is still held at the deadline.
   */
  static async acquire(path: string, what: string, timeoutMs: number): Promise<ShardLock> {
    const lock = new ShardLock(path);
    const deadline = Date.now() + timeoutMs;
    const self: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    for (;;) {
      try {
        await writeFile(path, JSON.stringify(self), { flag: 'wx' });
        lock.#held = true;
        heldHere.add(path);
        return lock;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new CatenaeError(ErrorCode.State, `cannot lock ${what} (${path}): ${(err as Error).message}`, { cause: err });
        }
      }
      const owner = await readOwner(path);
      if (owner === undefined || (!heldHere.has(path) && isGone(owner))) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new CatenaeError(
          ErrorCode.State,
          `${what} is locked by process ${owner.pid} on ${owner.host} since ${owner.since} (another instance with the same --state-dir?); give each instance its own --state-dir or stop the other one`,
        );
      }
      await delay(RETRY_MS);
    }
  }

  /** Releases the lock. Idempotent. */
  async release(): Promise<void> {
    if (!this.#held) return;
    this.#held = false;
    heldHere.delete(this.#path);
    await rm(this.#path, { force: true });
  }
}

async function readOwner(path: string): Promise<Owner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as Partial<Owner>;
    if (typeof owner.pid !== 'number' || typeof owner.host !== 'string') return undefined;
    return { pid: owner.pid, host: owner.host, since: String(owner.since) };
  } catch {
    // Removed meanwhile, or half-written by a process that died: no owner.
    return undefined;
  }
}

// A lock of this host whose process is gone (or that names this process without being held by
// it: a pid reused after a container restart) belongs to nobody. A lock of another host cannot be checked: it is waited for.
function isGone(owner: Owner): boolean {
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
