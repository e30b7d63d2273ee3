import { CatenaeError, ErrorCode } from '../errors.js';
import { importFromCwd } from '../runtime/import-from-cwd.js';
import type { StateStoreFactory } from './state-store.js';

/** Builds the persistent store of table shards kept in a state directory. */
export type StateStoreCreator = (dir: string) => StateStoreFactory;

let creator: StateStoreCreator | undefined;

/**
 * Lets `@catenae/state-lmdb` plug itself in (it calls this when imported), so `@catenae/core`
 * carries no native module.
 * @publicApi
 */
export function registerStateStore(create: StateStoreCreator): void {
  creator = create;
}

/**
 * The store for `--state-dir dir`: the registered one, else `@catenae/state-lmdb` loaded from the
 * working directory. @throws CatenaeError `CATENAE_STATE` saying how to install it when missing.
 */
export async function stateStoreFor(dir: string): Promise<StateStoreFactory> {
  if (creator === undefined) await importFromCwd('@catenae/state-lmdb');
  if (creator === undefined) {
    throw new CatenaeError(ErrorCode.State, `--state-dir keeps tables in @catenae/state-lmdb: install it (pnpm add @catenae/state-lmdb), or drop --state-dir to keep tables in memory`);
  }
  return creator(dir);
}
