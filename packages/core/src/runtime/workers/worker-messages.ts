import type { LogFormat, LogLevel } from '../start-options.js';
import type { WireElectron, WireOutput } from './wire-format.js';

/** What a worker thread needs to build its instance of the link: handed over as `workerData`. */
export interface WorkerInit {
  /** The module that exports the link, as a URL the worker can `import()`. */
  moduleUrl: string;
  linkName: string;
  uid: string;
  /** The slot of this worker in the pool (0-based; a replacement takes the slot of the one it replaces). */
  workerIndex: number;
  consumerGroup: string | undefined;
  inputs: string[];
  args: string[];
  /** The stores the link was started with (`mongodb`, `aerospike`): main-thread only, so `ctx.<store>` throws in a worker. */
  stores: string[];
  logLevel: LogLevel;
  logFormat: LogFormat;
}

/** An error as it crosses threads: its name, message and Catenae code survive. */
export interface WireError {
  name: string;
  message: string;
  code: string | undefined;
  stack: string | undefined;
}

/** One electron to handle with the handler `method`. */
export interface TaskMessage {
  id: number;
  method: string;
  electron: WireElectron;
}

/** Messages from the main thread to a worker. */
export type ToWorker =
  /** `TaskMessage[]`, serialized with `packBatch`. */
  | { type: 'tasks'; tasks: Uint8Array }
  /** The broker acknowledged (or failed) an output a worker sent with `onDelivered` or `sync`. */
  | { type: 'delivered'; id: number; error: WireError | null }
  /** Run `finish`, answer `finished`; the main thread then terminates the worker. */
  | { type: 'finish' };

/** What a worker reports, in the order it happened. */
export type WorkerEvent =
  /** A task finished: its outputs (ctx.send then returned or yielded items), or its error. */
  | { kind: 'result'; id: number; outputs: WireOutput[] | undefined; error: WireError | undefined }
  /** A `ctx.send` outside any task (setup, a timer), or with `onDelivered` / `sync`. */
  | { kind: 'send'; output: WireOutput; deliveryId: number | undefined }
  /** `ctx.stop(reason)` in the worker: the link stops as if the main thread had called it. */
  | { kind: 'stop'; reason: string | undefined };

/** Messages from a worker to the main thread. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'setup-failed'; error: WireError }
  /** `WorkerEvent[]`, serialized with `packBatch`. */
  | { type: 'events'; events: Uint8Array }
  | { type: 'finished'; error: WireError | undefined };
