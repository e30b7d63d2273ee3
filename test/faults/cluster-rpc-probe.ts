import { defineLink, ErrorCode, partitionForKey, startLink, type LinkHandle, type RpcTarget } from '@catenae/core';
import '@catenae/kafka';
import { KEYS } from './cluster-topology.js';

/** Partitions of the callee's keyed call topic (as many as its input's). */
const KEYED_PARTITIONS = 4;

/** A call is "hung" when it has not settled this long after its own timeout. */
const SLACK_MS = 5000;

/**
 * One call's outcome: `answered` (a count), `refused <code>` (an error reply: a call by link
 * reached an instance while the key's shard was not there, moving or restoring, which answers
 * CATENAE_STATE), `timeout` (CATENAE_RPC_TIMEOUT), `hung`, or `failed` (anything else).
 */
export interface CallOutcome {
  /** `by link`, or `by key k7 (partition 2)`: where the call went. */
  target: string;
  issuedAt: number;
  settledMs: number | undefined;
  result: string;
}

/**
 * A caller link in the test process that calls `method(key)` of link `link` every `everyMs`,
 * alternately by link and by key, each call with `timeoutMs`, and keeps every call's outcome.
 */
export class RpcProbe {
  readonly outcomes: Promise<CallOutcome>[] = [];
  readonly #caller: LinkHandle;
  readonly #loop: Promise<void>;
  #calling = true;
  #stopping: Promise<CallOutcome[]> | undefined;

  private constructor(caller: LinkHandle, link: string, method: string, timeoutMs: number, everyMs: number) {
    this.#caller = caller;
    this.#loop = (async () => {
      for (let i = 0; this.#calling; i++) {
        const key = `k${i % KEYS}`;
        const byKey = i % 2 === 1;
        const target = byKey ? `by key ${key} (partition ${partitionForKey(Buffer.from(key), KEYED_PARTITIONS)})` : 'by link';
        this.outcomes.push(callOnce(caller, byKey ? { link, key } : link, target, method, key, timeoutMs));
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    })();
  }

  /** Starts the caller (uid `uid`, so its inbox topic is known beforehand) and the calls. */
  static async start(bootstrap: string, uid: string, link: string, method: string, timeoutMs: number, everyMs: number): Promise<RpcProbe> {
    const caller = await startLink(defineLink({ name: 'ClusterCaller' }), { kafka: bootstrap, logLevel: 'warn', uid });
    return new RpcProbe(caller, link, method, timeoutMs, everyMs);
  }

  /** The uid of the caller instance. */
  get uid(): string {
    return this.#caller.uid;
  }

  /** Stops calling; resolves with every outcome once the last call settled, and stops the caller. Idempotent. */
  stop(): Promise<CallOutcome[]> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<CallOutcome[]> {
    this.#calling = false;
    await this.#loop;
    const settled = await Promise.all(this.outcomes);
    await this.#caller.stop();
    return settled;
  }
}

async function callOnce(caller: LinkHandle, to: RpcTarget, target: string, method: string, key: string, timeoutMs: number): Promise<CallOutcome> {
  const issuedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(resolve, timeoutMs + SLACK_MS, 'hung')));
  const call = caller.ctx.rpc.call<number>(to, method, key, { timeoutMs }).then(
    (count) => (typeof count === 'number' ? 'answered' : `answered ${String(count)}`),
    (err: { code?: string; message?: string }) => (err.code === ErrorCode.RpcTimeout ? 'timeout' : isErrorReply(err) ? `refused ${err.code}` : `failed ${err.code ?? String(err)}`),
  );
  const result = await Promise.race([call, hung]);
  clearTimeout(timer);
  return { target, issuedAt, settledMs: result === 'hung' ? undefined : Date.now() - issuedAt, result };
}

/** Outcomes counted by result (`answered`, `timeout`, ...). */
export function countOutcomes(outcomes: readonly CallOutcome[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.result, (counts.get(o.result) ?? 0) + 1);
  return counts;
}

/** Outcomes by target and result, for a failure message: `by link: 70 answered, 3 timeout; ...`. */
export function describeByTarget(outcomes: readonly CallOutcome[]): string {
  const byTarget = new Map<string, CallOutcome[]>();
  for (const o of outcomes) {
    const target = o.target.replace(/ k\d+ /, ' ');
    byTarget.set(target, [...(byTarget.get(target) ?? []), o]);
  }
  return [...byTarget.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([target, list]) => `${target}: ${[...countOutcomes(list).entries()].map(([result, n]) => `${n} ${result}`).join(', ')}`)
    .join('; ');
}

// An error the called instance sent back: its code came with the reply (the caller's own
// failures would be CATENAE_RPC_TIMEOUT or CATENAE_CLOSED).
function isErrorReply(err: { code?: string }): boolean {
  return err.code !== undefined && err.code !== ErrorCode.Closed;
}
