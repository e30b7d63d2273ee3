import type { GeneratorOptions } from '../registry/link-definition.js';
import { GENERATOR_KEY, methodOf } from './keys.js';

/**
 * Marks a source method. It runs once after `setup` (a loop, a generator function whose yielded
 * items are emitted, or a plain method using `ctx.send`), or every `interval` milliseconds.
 * @publicApi
 */
export function Generator(options: GeneratorOptions = {}) {
  return (...args: unknown[]): void => {
    Reflect.defineMetadata(GENERATOR_KEY, options, methodOf(args));
  };
}
