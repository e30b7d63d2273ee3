import type { StoreConnector } from '@catenae/core';
import { MongoClient, MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { connectWithRetries } from './connect-with-retries.js';
import { describeMongoAddress, mongoUri } from './mongo-address.js';
import { MongoStore } from './mongo-store.js';

/**
 * Connects a {@link MongoStore} to `address` (`host:port`, or a `mongodb://` / `mongodb+srv://`
 * URI with credentials and options) and checks it answers a `ping`. An unreachable server is
 * retried, each attempt bounded by the driver's `serverSelectionTimeoutMS`, until `timeoutMs`.
 * @throws CatenaeError `CATENAE_STORE`: `cannot reach MongoDB at host:port within N s: <reason>`,
 * or at once when the address is malformed or the server refuses the client (authentication).
 */
export const connectMongo: StoreConnector = (address, { timeoutMs, logger }) =>
  connectWithRetries({
    what: `MongoDB at ${describeMongoAddress(address)}`,
    timeoutMs,
    logger,
    async attempt(attemptMs) {
      let client: MongoClient | undefined;
      try {
        client = new MongoClient(mongoUri(address), { serverSelectionTimeoutMS: attemptMs, connectTimeoutMS: attemptMs });
        await client.connect();
        await client.db('admin').command({ ping: 1 });
        return new MongoStore(client);
      } catch (err) {
        await client?.close().catch(() => undefined);
        throw err;
      }
    },
    // A server down or starting may come; a malformed URI or refused credentials will not.
    isUnreachable: (err) => err instanceof MongoServerSelectionError || err instanceof MongoNetworkError,
  });
