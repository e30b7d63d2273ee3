import { CatenaeError, ErrorCode } from '../errors.js';
import { importFromCwd } from '../runtime/import-from-cwd.js';
import type { StoreConnector } from './store.js';

/** The kinds of store a link can be given. */
export type StoreKind = 'mongodb' | 'aerospike';

const connectors = new Map<StoreKind, StoreConnector>();

/**
 * Lets `@catenae/connectors` plug its stores in (it calls this when imported), so
 * `@catenae/core` never depends on a database driver.
 */
export function registerStoreConnector(kind: StoreKind, connector: StoreConnector): void {
  connectors.set(kind, connector);
}

/**
 * The connector of `kind`: the registered one, else `@catenae/connectors` loaded from the working
 * directory. @throws CatenaeError `CATENAE_MISSING_PACKAGE` saying how to install it when it is missing.
 */
export async function storeConnector(kind: StoreKind): Promise<StoreConnector> {
  if (!connectors.has(kind)) {
    await importFromCwd('@catenae/connectors');
  }
  const connector = connectors.get(kind);
  if (!connector) {
    throw new CatenaeError(ErrorCode.MissingPackage, `a ${kind} store needs @catenae/connectors, which is not installed here: add it to your project (npm install @catenae/connectors${kind === 'aerospike' ? ' aerospike' : ''}) and import it`);
  }
  return connector;
}
