import type { Context } from '../context.js';
import type { HandlerKind } from '../dispatch.js';

/**
 * Runs a handler in a worker as the Dispatcher runs it in the main thread, but collects instead
 * of emitting: what a plain handler returns (nothing for `undefined`), every item a generator or
 * async generator yields (all or nothing: one that throws half-way yields none). Returns the
 * items, or a promise of them for an asynchronous handler; a synchronous throw propagates.
 */
export function runHandler(
  fn: Function,
  kind: HandlerKind,
  instance: object,
  electron: unknown,
  ctx: Context,
): unknown[] | Promise<unknown[]> {
  const result = fn.call(instance, electron, ctx);
  if (kind === 'plain') {
    if (isThenable(result)) return Promise.resolve(result).then(itemsOf);
    return itemsOf(result);
  }
  if (kind === 'generator') {
    const items: unknown[] = [];
    for (const item of result as Iterable<unknown>) if (item !== undefined) items.push(item);
    return items;
  }
  return collect(result as AsyncIterable<unknown>);
}

function itemsOf(value: unknown): unknown[] {
  return value === undefined ? [] : [value];
}

async function collect(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of iterable) if (item !== undefined) items.push(item);
  return items;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
