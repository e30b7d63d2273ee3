import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'winston';
import type { Electron } from '../../electron.js';
import { CatenaeError, ErrorCode } from '../../errors.js';
import type { LinkDefinition } from '../../registry/link-definition.js';
import type { LinkControl } from '../context.js';
import { errorMessage } from '../failure-policy.js';
import { errorFields } from '../error-fields.js';
import type { LinkSettings } from '../link-settings.js';
import { LinkWorker, type LinkWorkerHooks } from './link-worker.js';
import { fromWireOutputs } from './wire-format.js';
import type { WorkerInit } from './worker-messages.js';

/** What the pool needs from the running link. */
export interface WorkerPoolOptions {
  logger: Logger;
  /** Where the workers' `ctx.send` (outside a task, or with delivery callbacks) and `ctx.stop` go. */
  control: Pick<LinkControl, 'send' | 'stopLink'>;
  /** A worker could not be replaced: the link must stop. */
  onFatal(err: Error): void;
}

/**
 * The `--workers N` threads of one link, each with its own instance of the link class loaded
 * from the link's module. The runtime keeps consuming, ordering, producing and committing in the
 * main thread: the pool only runs handlers, each electron on the least-loaded worker, and
 * replaces a worker that dies (its electrons are rejected with a retryable error, so the failure
 * policy runs them again: none is lost).
 */
export class WorkerPool {
  readonly #init: Omit<WorkerInit, 'workerIndex'>;
  readonly #size: number;
  readonly #options: WorkerPoolOptions;
  readonly #hooks: LinkWorkerHooks;
  readonly #workers: LinkWorker[] = [];
  #cursor = 0;
  #stopping: Promise<void> | undefined;

  /** @throws CatenaeError `CATENAE_BAD_FLAG` when the link's module is not known. */
  constructor(definition: LinkDefinition, settings: LinkSettings, options: WorkerPoolOptions) {
    if (settings.moduleUrl === undefined) {
      throw new CatenaeError(
        ErrorCode.BadFlag,
        `link ${definition.name}: --workers ${settings.workers} loads the link's module in each worker thread, but it is not known: ` +
          `pass startLink(${definition.name}, { workers, moduleUrl: import.meta.url }) from the module that exports the link (catenae run knows the file)`,
      );
    }
    this.#size = settings.workers;
    this.#options = options;
    this.#init = {
      moduleUrl: toModuleUrl(settings.moduleUrl),
      linkName: definition.name,
      uid: settings.uid,
      consumerGroup: definition.transforms.length > 0 ? settings.consumerGroup : undefined,
      inputs: settings.inputs,
      args: settings.args,
      stores: [settings.mongodb === undefined ? [] : ['mongodb'], settings.aerospike === undefined ? [] : ['aerospike']].flat(),
      logLevel: settings.logLevel,
      logFormat: settings.logFormat,
    };
    this.#hooks = {
      onSend: (worker, event) => this.#send(worker, fromWireOutputs([event.output])[0], event.deliveryId),
      onStop: (reason) => options.control.stopLink(reason),
      onDied: (worker, why) => this.#replace(worker, why),
    };
  }

  /** Starts the threads; resolves once each ran `setup`. @throws the first worker's setup error. */
  async start(): Promise<void> {
    for (let i = 0; i < this.#size; i++) this.#workers.push(new LinkWorker({ ...this.#init, workerIndex: i }, this.#hooks));
    try {
      await Promise.all(this.#workers.map((worker) => worker.ready));
    } catch (err) {
      await this.stop(1000);
      throw err;
    }
    this.#options.logger.debug(`${this.#size} worker threads ready`);
  }

  /**
   * Stand-ins for the link's handler methods, for the runtime's handler table: each sends its
   * electron to a worker and returns a promise that settles once the worker reported, after
   * `emit` queued its outputs in order (the dispatcher's `emit`). The scheduler sees an
   * asynchronous handler: per-key order, retries and commits work as for any other.
   */
  handlerMethods(definition: LinkDefinition, emit: (item: unknown) => void): object {
    const methods: Record<string, (electron: Electron) => Promise<void>> = {};
    const emitAll = (items: unknown[]) => {
      for (let i = 0; i < items.length; i++) emit(items[i]);
    };
    for (const { method } of definition.transforms) {
      methods[method] = (electron: Electron) => this.#pick().run(method, electron).then(emitAll);
    }
    return methods;
  }

  /** Runs `finish` in every worker (for at most `timeoutMs`), then ends the threads. Idempotent. */
  stop(timeoutMs: number): Promise<void> {
    this.#stopping ??= this.#stop(timeoutMs);
    return this.#stopping;
  }

  async #stop(timeoutMs: number): Promise<void> {
    const errors = await Promise.all(this.#workers.map((worker) => worker.finish(timeoutMs)));
    errors.forEach((err, i) => {
      if (err) this.#options.logger.error(`finish() failed in worker thread ${i}: ${errorMessage(err)}`, errorFields(err));
    });
  }

  /** The least-loaded worker; ties go round-robin. */
  #pick(): LinkWorker {
    const workers = this.#workers;
    const n = workers.length;
    let best = workers[this.#cursor]!;
    for (let i = 1; i < n && best.load > 0; i++) {
      const worker = workers[(this.#cursor + i) % n]!;
      if (worker.load < best.load) best = worker;
    }
    this.#cursor = (this.#cursor + 1) % n;
    return best;
  }

  #replace(dead: LinkWorker, why: string): void {
    if (this.#stopping) return;
    this.#options.logger.warn(`worker thread ${dead.index} died (${why}): replacing it; the electrons it held are retried`);
    const replacement = new LinkWorker({ ...this.#init, workerIndex: dead.index }, this.#hooks);
    this.#workers[dead.index] = replacement;
    replacement.ready.catch((err: Error) => {
      if (this.#stopping) return;
      this.#options.onFatal(new CatenaeError(ErrorCode.BadLink, `worker thread ${dead.index} could not be replaced: ${err.message}`, { cause: err }));
    });
  }

  /** A worker's `ctx.send` outside a task (or with a delivery callback), emitted by the main thread. */
  #send(worker: LinkWorker, item: unknown, deliveryId: number | undefined): void {
    const { control, logger } = this.#options;
    if (deliveryId === undefined) {
      try {
        control.send(item, undefined, undefined);
      } catch (err) {
        logger.error(`ctx.send in worker thread ${worker.index} failed: ${errorMessage(err)}`, errorFields(err));
      }
      return;
    }
    try {
      control.send(item, undefined, { onDelivered: (err) => worker.delivered(deliveryId, err) });
    } catch (err) {
      worker.delivered(deliveryId, err as Error);
    }
  }
}

/** A module URL from `import.meta.url`, a URL, or a file path. */
function toModuleUrl(moduleUrl: string): string {
  if (isAbsolute(moduleUrl) || !/^[a-z][a-z\d+.-]+:/i.test(moduleUrl)) return pathToFileURL(resolve(moduleUrl)).href;
  return moduleUrl;
}
