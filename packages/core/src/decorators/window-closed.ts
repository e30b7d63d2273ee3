import { WINDOW_CLOSED_KEY, methodOf } from './keys.js';

/**
 * Marks a method called once per closed window of the windowed table `table`, with
 * `(key, window, value, ctx)`, when stream time passes the window's end plus its grace. What it
 * returns (or yields) is emitted, as a transform's result is: the table's final results.
 * @publicApi
 */
export function WindowClosed(table: string) {
  return (...args: unknown[]): void => {
    const method = methodOf(args);
    const tables: string[] = Reflect.getOwnMetadata(WINDOW_CLOSED_KEY, method) ?? [];
    Reflect.defineMetadata(WINDOW_CLOSED_KEY, [...tables, table], method);
  };
}
