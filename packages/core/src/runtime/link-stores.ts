import type { Logger } from 'winston';
import { storeConnector } from '../store/store-registry.js';
import { errorMessage } from './failure-policy.js';
import { errorFields } from './error-fields.js';
import type { Context } from './context.js';
import type { LinkSettings } from './link-settings.js';

/** How long a store may take to connect (with the connector's own retries) before the link fails. */
const STORE_CONNECT_TIMEOUT_MS = 15_000;

/** Connects the stores the link was given (`-m`, `-a`) as `ctx.mongodb` / `ctx.aerospike`, before `setup`. */
export async function connectStores(ctx: Context, settings: LinkSettings, logger: Logger): Promise<void> {
  const options = { timeoutMs: STORE_CONNECT_TIMEOUT_MS, logger };
  if (settings.mongodb !== undefined) ctx.mongodb = await (await storeConnector('mongodb'))(settings.mongodb, options);
  if (settings.aerospike !== undefined) ctx.aerospike = await (await storeConnector('aerospike'))(settings.aerospike, options);
}

/** Closes the link's stores, after `finish`; a failure to close is logged, not thrown. */
export async function closeStores(ctx: Context, logger: Logger): Promise<void> {
  for (const store of [ctx.mongodb, ctx.aerospike]) {
    try {
      await store?.close();
    } catch (err) {
      logger.warn(`closing a store failed: ${errorMessage(err)}`, errorFields(err));
    }
  }
}
