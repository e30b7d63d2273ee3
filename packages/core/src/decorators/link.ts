import type { LinkOptions } from '../registry/link-definition.js';
import { LINK_KEY } from './keys.js';

/**
 * Marks a class as a link (a micromodule). Options are defaults: CLI flags and `CATENAE_*`
 * variables override them.
 * @publicApi
 */
export function Link(options: LinkOptions = {}) {
  return (...args: unknown[]): void => {
    Reflect.defineMetadata(LINK_KEY, options, args[0] as object);
  };
}
