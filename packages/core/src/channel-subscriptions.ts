import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/** One diagnostics channel and what handles its messages. */
export type ChannelHandler = readonly [channel: string, handle: (message: unknown) => void];

/**
 * Subscriptions to several diagnostics channels, made and undone together: what a consumer of the
 * runtime's instrumentation (metrics, announcements) holds while it listens.
 */
export class ChannelSubscriptions {
  readonly #handlers: readonly ChannelHandler[];
  #attached = false;

  constructor(handlers: readonly ChannelHandler[]) {
    this.#handlers = handlers;
  }

  /** Subscribes every handler. Idempotent. */
  attach(): void {
    if (this.#attached) return;
    this.#attached = true;
    for (const [name, handle] of this.#handlers) subscribe(name, handle);
  }

  /** Unsubscribes every handler; with no other subscriber the runtime then publishes nothing. */
  detach(): void {
    if (!this.#attached) return;
    this.#attached = false;
    for (const [name, handle] of this.#handlers) unsubscribe(name, handle);
  }
}
