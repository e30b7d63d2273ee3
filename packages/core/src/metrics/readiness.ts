import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { DiagnosticsChannel, type LinkStateMessage, type RebalanceMessage, type RestoreMessage } from '../diagnostics.js';

type InstanceState = 'starting' | LinkStateMessage['state'];

interface Instance {
  state: InstanceState;
  hasInputs: boolean;
  hasAssignment: boolean;
  isRestoring: boolean;
}

/**
 * Whether every link instance of the process is ready: `setup` done and running, and, when it
 * reads inputs, given its first assignment by the group (possibly empty: more instances than
 * partitions) with its tables' shards restored. A later rebalance does not make it unready, but
 * a restore does while it runs; a stop does, from its first step.
 */
export class Readiness {
  readonly #instances = new Map<string, Instance>();
  readonly #onState = (message: unknown): void => {
    const { link, uid, state, hasInputs } = message as LinkStateMessage;
    const instance = this.#instances.get(keyOf(link, uid));
    if (instance === undefined) return;
    instance.state = state;
    instance.hasInputs = hasInputs;
  };
  readonly #onRestore = (message: unknown): void => {
    const { link, uid, phase } = message as RestoreMessage;
    const instance = this.#instances.get(keyOf(link, uid));
    if (instance !== undefined) instance.isRestoring = phase !== 'done';
  };
  readonly #onRebalance = (message: unknown): void => {
    const { link, uid, kind } = message as RebalanceMessage;
    const instance = this.#instances.get(keyOf(link, uid));
    if (instance !== undefined && kind === 'assigned') instance.hasAssignment = true;
  };

  constructor() {
    subscribe(DiagnosticsChannel.state, this.#onState);
    subscribe(DiagnosticsChannel.rebalance, this.#onRebalance);
    subscribe(DiagnosticsChannel.restore, this.#onRestore);
  }

  /** Starts tracking an instance that is about to start. */
  add(link: string, uid: string): void {
    this.#instances.set(keyOf(link, uid), { state: 'starting', hasInputs: false, hasAssignment: false, isRestoring: false });
  }

  remove(link: string, uid: string): void {
    this.#instances.delete(keyOf(link, uid));
  }

  /** The instances that are not ready, with why (empty: ready). */
  notReady(): string[] {
    const reasons: string[] = [];
    for (const [key, { state, hasInputs, hasAssignment, isRestoring }] of this.#instances) {
      const name = key.replace('\u0000', '(') + ')';
      if (state !== 'running') reasons.push(`${name} is ${state}`);
      else if (hasInputs && !hasAssignment) reasons.push(`${name} waits for its partitions`);
      else if (isRestoring) reasons.push(`${name} restores its tables`);
    }
    return reasons;
  }

  /** Stops listening. */
  close(): void {
    unsubscribe(DiagnosticsChannel.state, this.#onState);
    unsubscribe(DiagnosticsChannel.rebalance, this.#onRebalance);
    unsubscribe(DiagnosticsChannel.restore, this.#onRestore);
  }
}

function keyOf(link: string, uid: string): string {
  return `${link}\u0000${uid}`;
}
