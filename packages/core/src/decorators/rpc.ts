import { RPC_KEY, methodOf } from './keys.js';

/**
 * Marks a method as callable by other links through `ctx.rpc`; no other method is.
 * @publicApi
 */
export function Rpc() {
  return (...args: unknown[]): void => {
    Reflect.defineMetadata(RPC_KEY, true, methodOf(args));
  };
}
