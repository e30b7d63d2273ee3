import { CatenaeError, ErrorCode } from '../errors.js';
import type { TableOptions, TableSpec } from './link-definition.js';

const TABLE_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * The table specs of a link from its declarations (property or `defineLink` key → options),
 * checked: names fit a changelog topic name and are unique.
 * @throws CatenaeError `CATENAE_BAD_LINK`
 */
export function tableSpecsOf(linkName: string, declared: Record<string, TableOptions>, fromProperties: boolean): TableSpec[] {
  const specs: TableSpec[] = [];
  const names = new Map<string, string>();
  for (const [key, options] of Object.entries(declared)) {
    const name = options.name ?? key;
    if (!TABLE_NAME.test(name)) {
      throw new CatenaeError(ErrorCode.BadLink, `link ${linkName}: table "${name}" needs a name of letters, digits, _ and - (it is part of its changelog topic)`);
    }
    const other = names.get(name);
    if (other !== undefined) throw new CatenaeError(ErrorCode.BadLink, `link ${linkName}: ${other} and ${key} are both tables named "${name}"`);
    names.set(name, key);
    specs.push({ name, property: fromProperties ? key : undefined, options });
  }
  return specs;
}
