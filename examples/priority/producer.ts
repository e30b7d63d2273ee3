import { parseArgs } from 'node:util';
import { Electron, Generator, Link, type Context } from '@catenae/core';
import { ALERTS_TOPIC, ROUTINE_TOPIC } from './topics.js';

/** How many of each the producer writes, from `--routine N` (default 100) and `--alerts N` (default 10). */
export function parseProducerArgs(args: readonly string[]): { routine: number; alerts: number } {
  const { values } = parseArgs({ args: [...args], options: { routine: { type: 'string' }, alerts: { type: 'string' } }, strict: true });
  return { routine: count(values.routine ?? '100', '--routine'), alerts: count(values.alerts ?? '10', '--alerts') };
}

function count(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} "${text}" is not a whole number`);
  return value;
}

/**
 * A source link that fills both inputs of {@link Triage}: first `--routine N` routine messages
 * (`routine-0`, `routine-1`, ...), then `--alerts M` alerts (`alert-0`, ...), and exits. Read in the
 * order they were written, the alerts would come last.
 */
@Link()
export class Producer {
  @Generator()
  *fill(ctx: Context) {
    const { routine, alerts } = parseProducerArgs(ctx.args);
    for (let i = 0; i < routine; i++) yield new Electron({ value: `routine-${i}`, topic: ROUTINE_TOPIC });
    for (let i = 0; i < alerts; i++) yield new Electron({ value: `alert-${i}`, topic: ALERTS_TOPIC });
    ctx.logger.info(`wrote ${routine} to ${ROUTINE_TOPIC}, then ${alerts} to ${ALERTS_TOPIC}`);
  }
}
