/**
 * One response of the ISS API (`http://api.open-notify.org/iss-now.json`), as the source link
 * emits it: coordinates are decimal degrees written as strings, the timestamp is in Unix seconds.
 */
export interface IssNow {
  message: string;
  timestamp: number;
  iss_position: { latitude: string; longitude: string };
}

/** Whether `value` has the API's shape, with coordinates that parse as numbers. */
export function isIssNow(value: unknown): value is IssNow {
  if (typeof value !== 'object' || value === null) return false;
  const { timestamp, iss_position: position } = value as Partial<IssNow>;
  if (typeof timestamp !== 'number' || typeof position !== 'object' || position === null) return false;
  return isDegrees(position.latitude) && isDegrees(position.longitude);
}

function isDegrees(text: unknown): boolean {
  return typeof text === 'string' && text.trim() !== '' && Number.isFinite(Number(text));
}

/**
 * How far east of `firstDegrees` the longitude `currentDegrees` lies, in degrees within
 * [-180, 180): crossing the antimeridian (179.9 → -179.9) counts as a small step, not a jump of 360.
 */
export function longitudeDisplacement(firstDegrees: number, currentDegrees: number): number {
  const difference = (currentDegrees - firstDegrees) % 360;
  if (difference >= 180) return difference - 360;
  if (difference < -180) return difference + 360;
  return difference;
}
