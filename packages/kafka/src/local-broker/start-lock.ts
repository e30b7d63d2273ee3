import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CatenaeError, ErrorCode } from '@catenae/core';

/**
 * Runs `fn` holding `<dataDir>/start.lock`, so two `kafkaUp` calls at once (a test runner and a
 * terminal) start one broker, not two. A lock whose holder process is gone is taken over.
 */
export async function withStartLock<T>(dataDir: string, deadline: number, fn: () => Promise<T>): Promise<T> {
  await mkdir(dataDir, { recursive: true });
  const lockFile = join(dataDir, 'start.lock');
  for (;;) {
    try {
      await writeFile(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
    if (!isAlive(holder)) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new CatenaeError(ErrorCode.Broker, `another process (pid ${holder}) is starting the Kafka broker in ${dataDir}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
