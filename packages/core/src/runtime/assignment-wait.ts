import type { Logger } from 'winston';

/** How long a link may wait for its first partitions before it says why it waits. */
export const ASSIGNMENT_WAIT_NOTICE_MS = 5000;
// Then once more every this long, while it still waits.
const REPEAT_MS = 30_000;

/**
 * Says why a link that subscribed has no partitions yet. A group rebalance waits for every member
 * the broker knows to rejoin: a member that stopped without leaving (killed, crashed, or the
 * previous run of a restarted instance) keeps its place until its session times out, which on
 * Kafka is `session.timeout.ms` (librdkafka's default: 45 s) after it was last heard from.
 */
export class AssignmentWait {
  readonly #logger: Logger;
  readonly #group: string;
  readonly #noticeMs: number;
  #startedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #hasNoticed = false;
  #isDone = false;

  constructor(logger: Logger, group: string, noticeMs = ASSIGNMENT_WAIT_NOTICE_MS) {
    this.#logger = logger;
    this.#group = group;
    this.#noticeMs = noticeMs;
  }

  /** Starts waiting (once: the first subscription). */
  start(): void {
    if (this.#startedAt !== 0 || this.#isDone) return;
    this.#startedAt = Date.now();
    this.#timer = setTimeout(() => this.#notice(), this.#noticeMs);
    this.#timer.unref();
  }

  /** The first assignment came (possibly empty): says how long it took if the wait was noticed. */
  assigned(): void {
    if (this.#isDone) return;
    this.stop();
    if (this.#hasNoticed) this.#logger.info(`got partitions of group ${this.#group} after ${this.#seconds()} s`, { group: this.#group, waitedMs: Date.now() - this.#startedAt });
  }

  stop(): void {
    this.#isDone = true;
    clearTimeout(this.#timer);
  }

  #notice(): void {
    this.#hasNoticed = true;
    this.#logger.info(
      `no partitions assigned yet after ${this.#seconds()} s: group ${this.#group} is rebalancing, which waits for every member it knows ` +
        'to rejoin; a member that stopped without leaving the group (killed, crashed, or the previous run of this instance) holds its ' +
        'partitions until its session times out (session.timeout.ms, 45 s by default on Kafka)',
      { group: this.#group, waitedMs: Date.now() - this.#startedAt },
    );
    this.#timer = setTimeout(() => this.#notice(), REPEAT_MS);
    this.#timer.unref();
  }

  #seconds(): string {
    return ((Date.now() - this.#startedAt) / 1000).toFixed(1);
  }
}
