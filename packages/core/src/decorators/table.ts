import type { TableOptions } from '../registry/link-definition.js';
import { TABLE_KEY } from './keys.js';

/** The tables a class declares: property name → options. */
export type TableDeclarations = Record<string, TableOptions>;

/**
 * Marks a property as a table the runtime fills before `setup`: a `KeyedTable<K, V>`, or a
 * `WindowedTable<K, V>` when `options.window` is given. Shard p of the table belongs to the
 * instance that owns input partition p; its changes go to the compacted changelog topic
 * `<consumer group>.<table>.changelog`.
 * @publicApi
 */
export function Table(options: TableOptions = {}) {
  return (...args: unknown[]): void => {
    // Legacy decorators: (prototype, name). Standard ones: (undefined, { kind: 'field', name, metadata }).
    if (args.length >= 2 && typeof args[1] === 'object' && args[1] !== null && 'kind' in args[1]) {
      const context = args[1] as unknown as { name: string | symbol; metadata?: Record<PropertyKey, unknown> };
      const metadata = context.metadata;
      if (metadata === undefined) return;
      const own = Object.prototype.hasOwnProperty.call(metadata, TABLE_KEY) ? (metadata[TABLE_KEY] as TableDeclarations) : undefined;
      // A subclass's metadata inherits its parent's through the prototype chain: copy, never mutate the parent's.
      const declared: TableDeclarations = { ...((metadata[TABLE_KEY] as TableDeclarations | undefined) ?? {}), ...own };
      declared[String(context.name)] = options;
      metadata[TABLE_KEY] = declared;
      return;
    }
    const prototype = args[0] as object;
    const declared: TableDeclarations = { ...((Reflect.getMetadata(TABLE_KEY, prototype) as TableDeclarations | undefined) ?? {}) };
    declared[String(args[1])] = options;
    Reflect.defineMetadata(TABLE_KEY, declared, prototype);
  };
}

/** The tables declared on a link class and its parents, by either decorator form. */
export function declaredTables(cls: Function): TableDeclarations {
  const legacy = (Reflect.getMetadata(TABLE_KEY, cls.prototype) as TableDeclarations | undefined) ?? {};
  const metadataSymbol = (Symbol as { metadata?: symbol }).metadata;
  const standard = metadataSymbol ? ((cls as unknown as Record<symbol, Record<string, unknown> | undefined>)[metadataSymbol]?.[TABLE_KEY] as TableDeclarations | undefined) : undefined;
  return { ...legacy, ...standard };
}
