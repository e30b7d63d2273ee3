/** Whether `value` is a plain object (`{}` or `Object.create(null)`), not a class instance such as an ObjectId, a Date or a Buffer. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
