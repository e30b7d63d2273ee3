import { CatenaeError, ErrorCode } from '../errors.js';
import { GENERATOR_KEY, LINK_KEY, RPC_KEY, TRANSFORM_KEY, WINDOW_CLOSED_KEY } from '../decorators/keys.js';
import { brandDefinition, type GeneratorOptions, type LinkDefinition, type LinkOptions, type TransformSpec } from './link-definition.js';
import { checkTransforms } from './check-transforms.js';
import { declaredTables } from '../decorators/table.js';
import { tableSpecsOf } from './table-specs.js';

type LinkClass = new () => object;
const explored = new WeakMap<object, LinkDefinition>();

/** Whether `value` is a class marked with `@Link`. */
export function isLinkClass(value: unknown): value is LinkClass {
  return typeof value === 'function' && Reflect.hasMetadata(LINK_KEY, value);
}

/**
 * Reads a `@Link` class's metadata into a {@link LinkDefinition}, once per class.
 * @throws CatenaeError `CATENAE_BAD_LINK` when the class is not a link or its handlers clash.
 */
export function exploreLink(cls: unknown): LinkDefinition {
  if (!isLinkClass(cls)) {
    const name = typeof cls === 'function' ? cls.name : typeof cls;
    throw new CatenaeError(ErrorCode.BadLink, `${name} is not a link: decorate the class with @Link()`);
  }
  const cached = explored.get(cls);
  if (cached) return cached;

  const options: LinkOptions = Reflect.getMetadata(LINK_KEY, cls);
  const name = options.name ?? cls.name;
  const transforms: TransformSpec[] = [];
  const generators: (GeneratorOptions & { method: string })[] = [];
  const rpcMethods: string[] = [];
  const windowClosed: { table: string; method: string }[] = [];
  for (const method of methodNames(cls.prototype)) {
    const fn = (cls.prototype as Record<string, unknown>)[method] as object;
    const specs: Omit<TransformSpec, 'method'>[] | undefined = Reflect.getOwnMetadata(TRANSFORM_KEY, fn);
    for (const spec of specs ?? []) transforms.push({ method, ...spec });
    const generator: GeneratorOptions | undefined = Reflect.getOwnMetadata(GENERATOR_KEY, fn);
    if (generator) generators.push({ method, ...generator });
    if (Reflect.getOwnMetadata(RPC_KEY, fn)) rpcMethods.push(method);
    for (const table of (Reflect.getOwnMetadata(WINDOW_CLOSED_KEY, fn) as string[] | undefined) ?? []) windowClosed.push({ table, method });
  }
  checkTransforms(name, transforms);
  const tables = tableSpecsOf(name, declaredTables(cls), true);
  const definition = brandDefinition({
    name,
    create: () => new cls(),
    options,
    transforms,
    generators,
    rpcMethods,
    tables,
    windowClosed,
    source: `class ${cls.name}`,
  });
  explored.set(cls, definition);
  return definition;
}

/** Method names along the prototype chain, most derived first, each once. */
function methodNames(prototype: object): string[] {
  const names = new Set<string>();
  for (let p = prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name === 'constructor' || names.has(name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(p, name);
      if (typeof descriptor?.value === 'function') names.add(name);
    }
  }
  return [...names];
}
