import { Link, Transform, type Context, type Electron } from '@catenae/core';
import { ALERTS_TOPIC, ROUTINE_TOPIC } from './topics.js';

/** How many handled messages a Triage instance remembers, in order. */
const KEPT = 10_000;

/**
 * A leaf link with two inputs of different priority: alerts (10) and routine messages (1). Run
 * with `--input-mode priority`, it reads routine messages only while no alert waits; with the
 * default `parity`, both topics share its fetches. Prints `ALERT <value>` or `routine <value>` for
 * each message in the order handled (`--quiet` prints nothing).
 */
@Link()
export class Triage {
  /** The first 10,000 messages handled, in order, as printed. */
  readonly handled: string[] = [];
  isQuiet = false;

  setup(ctx: Context): void {
    this.isQuiet = ctx.args.includes('--quiet');
  }

  @Transform(ALERTS_TOPIC, 10)
  alert(message: Electron<string>): void {
    this.#record(`ALERT ${message.value}`);
  }

  @Transform(ROUTINE_TOPIC, 1)
  routine(message: Electron<string>): void {
    this.#record(`routine ${message.value}`);
  }

  #record(line: string): void {
    if (this.handled.length < KEPT) this.handled.push(line);
    if (!this.isQuiet) process.stdout.write(`${line}\n`);
  }
}
