import type { StoreDefaults } from '@catenae/core';
import { storeError } from './store-error.js';

/**
 * The database and collection (namespace and set) of one call: `where` over the store's defaults.
 * @throws CatenaeError `CATENAE_STORE` when neither names both.
 */
export function resolveTarget(store: string, defaults: StoreDefaults | undefined, where: Partial<StoreDefaults> | undefined): StoreDefaults {
  const database = where?.database ?? defaults?.database;
  const collection = where?.collection ?? defaults?.collection;
  if (database === undefined || collection === undefined) {
    throw storeError(`${store}: no ${database === undefined ? 'database' : 'collection'} given; call setDefaults(database, collection) or pass { database, collection }`);
  }
  return { database, collection };
}
