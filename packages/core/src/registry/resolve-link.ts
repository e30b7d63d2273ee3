import { CatenaeError, ErrorCode } from '../errors.js';
import { exploreLink, isLinkClass } from './explore-link.js';
import { isLinkDefinition, type LinkDefinition } from './link-definition.js';

/** A link as users hand it over: a `@Link` class or a `defineLink` result. */
export type LinkLike = LinkDefinition | (abstract new (...args: never[]) => object) | (new () => object);

/** The definition of a `@Link` class or a `defineLink` result. @throws `CATENAE_BAD_LINK` */
export function resolveLink(link: unknown): LinkDefinition {
  if (isLinkDefinition(link)) return link;
  return exploreLink(link);
}

/**
 * Every link a loaded module exports (classes marked `@Link` and `defineLink` results), in export order.
 * @throws CatenaeError `CATENAE_NO_LINK` when there is none.
 */
export function linksOfModule(moduleExports: Record<string, unknown>, file: string): LinkDefinition[] {
  const found: LinkDefinition[] = [];
  for (const value of new Set(Object.values(moduleExports))) {
    if (isLinkClass(value) || isLinkDefinition(value)) found.push(resolveLink(value));
  }
  if (found.length === 0) {
    throw new CatenaeError(
      ErrorCode.NoLink,
      `${file} exports no link: export a class decorated with @Link() or a defineLink(...) result`,
    );
  }
  return found;
}

/** @throws CatenaeError `CATENAE_DUPLICATE_LINK` when two links share a name. */
export function checkUniqueNames(links: readonly LinkDefinition[]): void {
  const names = new Map<string, string>();
  for (const link of links) {
    const other = names.get(link.name);
    if (other) {
      throw new CatenaeError(
        ErrorCode.DuplicateLink,
        `two links are named "${link.name}" (${other} and ${link.source}): give one a different name`,
      );
    }
    names.set(link.name, link.source);
  }
}
