import type { Context } from '../runtime/context.js';
import type { Electron } from '../electron.js';
import { brandDefinition, type LinkDefinition, type LinkOptions, type TableOptions, type TransformSpec } from './link-definition.js';
import { tableSpecsOf } from './table-specs.js';
import { checkTransforms } from './check-transforms.js';
import { CatenaeError, ErrorCode } from '../errors.js';

/** An input handler of the functional form; `this` is the link's state object. */
export type TransformFn = (this: any, electron: Electron<any, any>, ctx: Context) => unknown;
/** A source function of the functional form. */
export type GeneratorFn = (this: any, ctx: Context) => unknown;
/** A lifecycle hook of the functional form. */
export type HookFn = (this: any, ctx: Context) => unknown;

/** What {@link defineLink} takes: the `@Link` options plus the handlers as plain functions. */
export interface LinkSpec extends LinkOptions {
  name: string;
  /** Handler of the default inputs. */
  transform?: TransformFn;
  /** Handlers of named topics, with their priorities. */
  transforms?: { topic: string; priority?: number; handle: TransformFn }[];
  generator?: GeneratorFn;
  /** Call `generator` every `interval` milliseconds instead of once. */
  interval?: number;
  setup?: HookFn;
  finish?: HookFn;
  /** Methods callable by other links. */
  rpc?: Record<string, (this: any, args: any, ctx: Context) => unknown>;
  /** Builds the per-instance state object handlers see as `this` (default: `{}`). */
  state?: () => object;
  /** Tables by name, reached through `ctx.tables.<name>`: `{ counts: {} }` is a keyed table. */
  tables?: Record<string, TableOptions>;
  /** Per windowed table name, called once per closed window; what it returns is emitted. */
  windowClosed?: Record<string, (this: any, key: any, window: { start: number; end: number }, value: any, ctx: Context) => unknown>;
}

/**
 * Builds a link without a class: the same registry entry `@Link` produces.
 * Export the result from a module to run it with `catenae run`.
 * @publicApi
 */
export function defineLink(spec: LinkSpec): LinkDefinition {
  const { name, transform, transforms = [], generator, interval, setup, finish, rpc = {}, state, tables = {}, windowClosed = {}, ...options } = spec;
  const methods: Record<string, unknown> = { ...rpc };
  const transformSpecs: TransformSpec[] = [];
  if (transform) {
    methods.transform = transform;
    transformSpecs.push({ method: 'transform', topic: undefined, priority: 0 });
  }
  transforms.forEach(({ topic, priority = 0, handle }, i) => {
    methods[`transform:${topic}:${i}`] = handle;
    transformSpecs.push({ method: `transform:${topic}:${i}`, topic, priority });
  });
  for (const [table, fn] of Object.entries(windowClosed)) methods[`windowClosed:${table}`] = fn;
  if (generator) methods.generator = generator;
  if (setup) methods.setup = setup;
  if (finish) methods.finish = finish;
  checkTransforms(name, transformSpecs);
  const definition: LinkDefinition = {
    name,
    create: () => {
      const instance = state ? state() : {};
      const clash = Object.keys(methods).find((key) => key in instance);
      if (clash) throw new CatenaeError(ErrorCode.BadLink, `link ${name}: its state has a field "${clash}" that a handler or RPC method of the same name would overwrite`);
      return Object.assign(instance, methods);
    },
    options: { ...options, name },
    transforms: transformSpecs,
    generators: generator ? [{ method: 'generator', interval }] : [],
    rpcMethods: Object.keys(rpc),
    tables: tableSpecsOf(name, tables, false),
    windowClosed: Object.keys(windowClosed).map((table) => ({ table, method: `windowClosed:${table}` })),
    source: `defineLink(${name})`,
  };
  return brandDefinition(definition);
}
