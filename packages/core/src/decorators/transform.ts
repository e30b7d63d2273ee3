import type { TransformSpec } from '../registry/link-definition.js';
import { TRANSFORM_KEY, methodOf } from './keys.js';

/**
 * Marks a method as an input handler for `topic` (default: the link's inputs from `-i`).
 * A higher `priority` is read first in the `priority` and `exp` input modes. The method's
 * return value is emitted to the default output; a generator method emits every item it yields.
 * @publicApi
 */
export function Transform(topic?: string, priority = 0) {
  return (...args: unknown[]): void => {
    const method = methodOf(args);
    const specs: Omit<TransformSpec, 'method'>[] = Reflect.getOwnMetadata(TRANSFORM_KEY, method) ?? [];
    Reflect.defineMetadata(TRANSFORM_KEY, [...specs, { topic, priority }], method);
  };
}
