import type { Document, Filter, IndexSpecification, UpdateFilter } from 'mongodb';
import { isPlainObject } from './plain-object.js';

/** A query as a MongoDB filter: none matches all, a plain object is a filter, any other value is an `_id`. */
export function toFilter(query: unknown): Filter<Document> {
  if (query === undefined) return {};
  return isPlainObject(query) ? query : { _id: query as never };
}

/** A value as a document: a plain object is copied (the driver adds `_id` to what it inserts), any other value becomes `{ value }`. */
export function toDocument(value: unknown): Document {
  return isPlainObject(value) ? { ...value } : { value };
}

/** Changes as an update: operators (`$inc`, `$set`, ...) as given, plain fields wrapped in `$set`. */
export function toUpdate(changes: Record<string, unknown>): UpdateFilter<Document> {
  const keys = Object.keys(changes);
  const operators = keys.filter((key) => key.startsWith('$')).length;
  if (operators === 0) return { $set: changes };
  if (operators === keys.length) return changes as UpdateFilter<Document>;
  throw new TypeError(`update mixes operators and plain fields (${keys.join(', ')}); use only one kind`);
}

/** An index spec: a field name is an ascending index on it; a spec object is used as given. */
export function toIndexSpec(fields: Record<string, 1 | -1> | string): IndexSpecification {
  return typeof fields === 'string' ? { [fields]: 1 } : fields;
}

/** Whether a server error says an aggregation stage is missing: `NotImplemented` (FerretDB) or an unrecognized stage (MongoDB). */
export function isUnsupportedStage(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 238 || code === 40324;
}
