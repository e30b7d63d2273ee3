import { Electron, Link, Transform, type Context } from '@catenae/core';
import { isIssNow, longitudeDisplacement, type IssNow } from './position.js';

/** What the displacement link emits for each position. */
export interface LongitudeChange {
  /** Unix seconds, from the API. */
  timestamp: number;
  longitude: number;
  /** Degrees east of the first longitude seen, within [-180, 180), rounded to 4 decimals as the API's. */
  displacement: number;
}

/**
 * A middle link, the Python library's SecondLink: keeps the first longitude it receives and, for
 * every position, prints how far east of it the station is (`--quiet` prints nothing) and emits
 * a {@link LongitudeChange}. The first longitude is per instance: the source keys every position
 * `iss`, so one instance receives them all, in order.
 */
@Link({ inputs: ['iss_positions'], output: 'iss_displacements' })
export class Displacement {
  firstLongitude: number | undefined = undefined;
  isQuiet = false;

  setup(ctx: Context): void {
    this.isQuiet = ctx.args.includes('--quiet');
  }

  @Transform()
  displace(electron: Electron<IssNow>, ctx: Context): Electron<LongitudeChange> | undefined {
    const position = electron.value;
    if (!isIssNow(position)) {
      ctx.logger.warn(`skipped an electron that is not an ISS position: ${JSON.stringify(position)?.slice(0, 200)}`);
      return undefined;
    }
    const longitude = Number(position.iss_position.longitude);
    this.firstLongitude ??= longitude;
    const displacement = Math.round(longitudeDisplacement(this.firstLongitude, longitude) * 1e4) / 1e4;
    if (!this.isQuiet) process.stdout.write(`Current longitude difference: ${displacement.toFixed(4)} (longitude ${longitude} at ${position.timestamp})\n`);
    return new Electron({ key: electron.key, value: { timestamp: position.timestamp, longitude, displacement } });
  }
}
