import type { Context } from './context.js';
import { CatenaeError, ErrorCode } from '../errors.js';
import type { LinkDefinition } from '../registry/link-definition.js';
import type { TableKey } from '../state/keyed-table.js';
import type { TimeWindow } from '../state/window-entry.js';
import { handlerKind } from './dispatch.js';

/**
 * Runs the `@WindowClosed(table)` methods of a link for one closed window and emits what each
 * returns (or yields), as part of the electron (or idle close) that closed it.
 * @throws what a method threw; `CATENAE_BAD_LINK` for an asynchronous one.
 */
export function runWindowClosed(
  definition: LinkDefinition,
  instance: object,
  ctx: Context,
  emit: (item: unknown) => void,
  table: string,
  key: TableKey,
  window: TimeWindow,
  value: unknown,
): void {
  for (const handler of definition.windowClosed) {
    if (handler.table !== table) continue;
    const fn = (instance as Record<string, Function>)[handler.method]!;
    const kind = handlerKind(fn);
    const result: unknown = fn.call(instance, key, window, value, ctx);
    if (kind === 'generator') {
      // All or nothing, as a transform's generator.
      const items = [...(result as Iterable<unknown>)];
      for (const item of items) if (item !== undefined) emit(item);
      continue;
    }
    if (kind === 'async-generator' || typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
      throw new CatenaeError(ErrorCode.BadLink, `link ${definition.name}: @WindowClosed method ${handler.method}() must be synchronous (it runs as part of the electron that closed the window)`);
    }
    if (result !== undefined) emit(result);
  }
}
