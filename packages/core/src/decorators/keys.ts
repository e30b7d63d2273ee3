// The decorators and the registry read and write reflect-metadata; load it wherever they are imported from.
import 'reflect-metadata';

// Metadata keys, namespaced so they never meet another library's.
export const LINK_KEY = 'catenae:link';
export const TRANSFORM_KEY = 'catenae:transform';
export const GENERATOR_KEY = 'catenae:generator';
export const RPC_KEY = 'catenae:rpc';
export const TABLE_KEY = 'catenae:table';
export const WINDOW_CLOSED_KEY = 'catenae:window-closed';

// TypeScript 5's standard decorators hand field decorators `context.metadata` only where
// `Symbol.metadata` exists (Node 20 lacks it). The well-known symbol is defined as the proposal
// does, before any user class is evaluated (a link module imports this package first).
(Symbol as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');

/**
 * The decorated method, whichever decorator form called us: legacy decorators pass
 * `(prototype, name, descriptor)`, TypeScript 5's standard ones `(method, context)`.
 */
export function methodOf(args: unknown[]): object {
  if (args.length === 2 && typeof args[0] === 'function') return args[0];
  const descriptor = args[2] as PropertyDescriptor | undefined;
  return (descriptor?.value ?? args[0]) as object;
}
