import { CatenaeError, ErrorCode } from '../errors.js';
import type { LinkExit } from './link-handle.js';

/** What a stop had not finished when it gave up waiting. */
export interface InFlight {
  /** Electrons accepted but not handled (running, retrying, queued behind their key). */
  electrons: number;
  /** Outputs produced but not acknowledged by the broker. */
  outputs: number;
}

/**
 * The exit of a stop once its drain ended: unchanged when nothing is left in flight or the stop
 * was a failure already; otherwise a `CATENAE_SHUTDOWN_TIMEOUT` failure saying what was left
 * (none of it committed: a restart reads it again).
 */
export function exitAfterDrain(exit: LinkExit, inFlight: InFlight, shutdownTimeoutMs: number): LinkExit {
  if (!exit.ok || (inFlight.electrons === 0 && inFlight.outputs === 0)) return exit;
  const left = [
    inFlight.electrons > 0 ? `${plural(inFlight.electrons, 'electron')} still being handled` : '',
    inFlight.outputs > 0 ? `${plural(inFlight.outputs, 'output')} not acknowledged` : '',
  ].filter((part) => part !== '');
  const reason = `${exit.reason}; the shutdown timeout (${shutdownTimeoutMs} ms) passed with ${left.join(' and ')} (not committed: read again on restart)`;
  return { ok: false, reason, error: new CatenaeError(ErrorCode.ShutdownTimeout, reason, { details: { electrons: inFlight.electrons, outputs: inFlight.outputs } }) };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
