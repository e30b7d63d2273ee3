/** Called once per produce call with null, or with the first error of its records. */
export type Acked = (err: Error | null) => void;

/**
 * The produce acknowledgements one transport owes, delivered in call order when the broker runs
 * the transport's task. Keeps two arrays and swaps them, so a steady producer allocates nothing.
 */
export class AckQueue {
  #callbacks: Acked[] = [];
  #errors: (Error | null)[] = [];
  #spare: Acked[] = [];
  #drained: Array<() => void> = [];

  /** Acknowledgements not delivered yet. */
  get size(): number {
    return this.#callbacks.length;
  }

  push(onAcked: Acked, error: Error | null): void {
    this.#callbacks.push(onAcked);
    this.#errors.push(error);
  }

  /**
   * Calls every queued callback (ones queued meanwhile wait for the next delivery) and returns
   * what the first that threw threw, after calling the rest.
   */
  deliver(): { error: unknown } | undefined {
    const callbacks = this.#callbacks;
    const errors = this.#errors;
    this.#callbacks = this.#spare;
    this.#errors = [];
    let failure: { error: unknown } | undefined;
    for (let i = 0; i < callbacks.length; i++) {
      try {
        callbacks[i]!(errors[i]!);
      } catch (error) {
        failure ??= { error };
      }
    }
    callbacks.length = 0;
    this.#spare = callbacks;
    if (this.#callbacks.length === 0) for (const resolve of this.#drained.splice(0)) resolve();
    return failure;
  }

  /** Settles once every acknowledgement queued so far was delivered. */
  drained(): Promise<void> {
    if (this.#callbacks.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }
}
