import type { StoreConnector } from '@catenae/core';
import type { Client } from 'aerospike';
import { aerospikeConfig, aerospikeHosts, isUnreachableStatus } from './aerospike-mapping.js';
import { AerospikeStore } from './aerospike-store.js';
import { connectWithRetries } from './connect-with-retries.js';
import { storeError } from './store-error.js';

/**
 * Connects an {@link AerospikeStore} to the seeds of `address` (`host[:port][,host[:port]]`, port
 * 3000 by default). The `aerospike` client, an optional peer dependency, is loaded here. A cluster
 * that is down is retried until `timeoutMs`.
 * @throws CatenaeError `CATENAE_STORE`: `cannot reach Aerospike at host:port within N s: <reason>`,
 * or at once when the address is malformed or the `aerospike` package is not installed.
 */
export const connectAerospike: StoreConnector = async (address, { timeoutMs, logger }) => {
  aerospikeHosts(address);
  const aerospike = await loadClient();
  return connectWithRetries({
    what: `Aerospike at ${address}`,
    timeoutMs,
    logger,
    async attempt(attemptMs) {
      const client: Client = aerospike.client(aerospikeConfig(address, attemptMs));
      try {
        await client.connect();
        return new AerospikeStore(client);
      } catch (err) {
        client.close();
        throw err;
      }
    },
    isUnreachable: isUnreachableStatus,
  });
};

async function loadClient(): Promise<typeof import('aerospike')> {
  try {
    return (await import('aerospike')).default;
  } catch (err) {
    throw storeError('the Aerospike store needs the aerospike client: install it (pnpm add aerospike)', err);
  }
}
