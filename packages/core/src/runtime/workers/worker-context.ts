import type { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'winston';
import { Electron } from '../../electron.js';
import { CatenaeError, ErrorCode } from '../../errors.js';
import { Context, type LinkControl, type SendOptions } from '../context.js';
import type { RpcClient } from '../rpc/rpc-client.js';
import { checkSerializable, fromWireError, toWireOutputs } from './wire-format.js';
import type { WireError, WorkerInit } from './worker-messages.js';
import type { WorkerOutbox } from './worker-outbox.js';

/**
 * The `ctx` of a worker thread. Identity, logger and args are the link's; `send` adds to the
 * outputs of the electron being handled (emitted with what the handler returns, all or nothing),
 * or, outside a handler or with `onDelivered` / `sync`, goes to the main thread at once;
 * `stop(reason)` stops the link. `rpc`, `loop`, `addInput`, `removeInput` and the stores belong
 * to the main thread and throw `CATENAE_BAD_LINK` here.
 */
export function createWorkerContext(init: WorkerInit, logger: Logger, control: WorkerControl): Context {
  const ctx = new Context({ uid: init.uid, linkName: init.linkName, consumerGroup: init.consumerGroup, logger, args: init.args }, control);
  for (const store of init.stores) {
    Object.defineProperty(ctx, store, {
      get: () => {
        throw unavailable(`ctx.${store}`);
      },
    });
  }
  return ctx;
}

/** What a worker's {@link Context} asks of the link: sends and stops travel to the main thread. */
export class WorkerControl implements LinkControl {
  readonly inputs: readonly string[];
  readonly #outbox: WorkerOutbox;
  readonly #taskOutputs: AsyncLocalStorage<unknown[]>;
  readonly #deliveries = new Map<number, (err: Error | null) => void>();
  #nextDeliveryId = 1;

  /** @param taskOutputs holds, while a handler runs, the outputs of its electron. */
  constructor(init: WorkerInit, outbox: WorkerOutbox, taskOutputs: AsyncLocalStorage<unknown[]>) {
    this.inputs = init.inputs;
    this.#outbox = outbox;
    this.#taskOutputs = taskOutputs;
  }

  send(value: unknown, topic: string | undefined, options: SendOptions | undefined): Promise<void> | undefined {
    const item = topic === undefined ? value : withTopic(value, topic);
    const hasDelivery = options?.onDelivered !== undefined || options?.sync === true;
    const outputs = hasDelivery ? undefined : this.#taskOutputs.getStore();
    if (outputs !== undefined) {
      outputs.push(item);
      return undefined;
    }
    const [output] = toWireOutputs([item]);
    // Thrown here, as the main thread's ctx.send throws for a value it cannot encode.
    checkSerializable(output);
    if (!hasDelivery) {
      this.#outbox.push({ kind: 'send', output: output!, deliveryId: undefined });
      this.#outbox.scheduleFlush();
      return undefined;
    }
    const deliveryId = this.#nextDeliveryId++;
    this.#outbox.push({ kind: 'send', output: output!, deliveryId });
    this.#outbox.scheduleFlush();
    if (!options!.sync) {
      this.#deliveries.set(deliveryId, options!.onDelivered!);
      return undefined;
    }
    return new Promise((resolve, reject) => {
      this.#deliveries.set(deliveryId, (err) => {
        options!.onDelivered?.(err);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** The main thread's answer to a send with `onDelivered` or `sync`. */
  delivered(id: number, error: WireError | null): void {
    const callback = this.#deliveries.get(id);
    this.#deliveries.delete(id);
    callback?.(error === null ? null : fromWireError(error));
  }

  stopLink(reason: string | undefined): void {
    this.#outbox.push({ kind: 'stop', reason });
    this.#outbox.scheduleFlush();
  }

  loop(): void {
    throw unavailable('ctx.loop');
  }

  addInput(): Promise<void> {
    return Promise.reject(unavailable('ctx.addInput'));
  }

  removeInput(): Promise<void> {
    return Promise.reject(unavailable('ctx.removeInput'));
  }

  get rpc(): RpcClient {
    throw unavailable('ctx.rpc');
  }
}

/** An output to `topic`: the value (or a copy of the Electron) addressed there, as `emit(value, topic)` would. */
function withTopic(value: unknown, topic: string): Electron<unknown, unknown> {
  if (value instanceof Electron) return new Electron({ key: value.key, value: value.value, topic, headers: value.headers, timestamp: value.timestamp });
  return new Electron({ value, topic });
}

function unavailable(what: string): CatenaeError {
  return new CatenaeError(
    ErrorCode.BadLink,
    `${what} is not available in a worker thread (--workers): RPC, loops, inputs and stores belong to the main thread, whose instance runs setup too; guard the call with isMainThread from node:worker_threads`,
  );
}
