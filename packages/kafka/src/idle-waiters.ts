/**
 * Those waiting for a producer to have nothing left in flight, each until a deadline: the
 * `whenIdle` of the transport's producers.
 */
export class IdleWaiters {
  #waiters: Array<() => void> = [];

  /** Whether anyone waits. */
  get isEmpty(): boolean {
    return this.#waiters.length === 0;
  }

  /** Resolves with true once {@link settle} runs, or with false at `deadline` (milliseconds since the epoch). */
  wait(deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), false);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** The producer is idle (or gone): every waiter resolves with true. */
  settle(): void {
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}
