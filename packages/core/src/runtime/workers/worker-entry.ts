// The script of a `--workers` thread: loads the link's module, builds an instance, runs its
// `setup`, then handles the electrons the main thread posts and reports their outputs.
import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { CatenaeError, ErrorCode } from '../../errors.js';
import { linksOfModule } from '../../registry/resolve-link.js';
import type { Context } from '../context.js';
import { createLogger } from '../create-logger.js';
import { handlerKind, type HandlerKind } from '../dispatch.js';
import { markLinkWorker } from './in-link-worker.js';
import { setupFailure } from '../start-checks.js';
import { runHandler } from './run-handler.js';
import { Electron } from '../../electron.js';
import { toWireError, toWireOutputs, unpackBatch } from './wire-format.js';
import { WorkerControl, createWorkerContext } from './worker-context.js';
import type { FromWorker, TaskMessage, ToWorker, WorkerEvent, WorkerInit } from './worker-messages.js';
import { WorkerOutbox } from './worker-outbox.js';

markLinkWorker();
const init = workerData as WorkerInit;
const port = parentPort as MessagePort;
const outbox = new WorkerOutbox(port);
const taskOutputs = new AsyncLocalStorage<unknown[]>();
const control = new WorkerControl(init, outbox, taskOutputs);
const logger = createLogger(init.logLevel, init.logFormat, init.linkName, `${init.uid}/w${init.workerIndex}`);
const ctx: Context = createWorkerContext(init, logger, control);
const handlers = new Map<string, { fn: Function; kind: HandlerKind }>();
const early: ToWorker[] = [];
let instance: object | undefined;

const post = (message: FromWorker) => port.postMessage(message);
port.on('message', (message: ToWorker) => (instance === undefined ? early.push(message) : receive(message)));

try {
  const created = await createInstance();
  const setup = (created as { setup?: Function }).setup;
  if (typeof setup === 'function') {
    try {
      await setup.call(created, ctx);
    } catch (err) {
      throw setupFailure(init.linkName, err);
    }
  }
  instance = created;
  outbox.flush();
  post({ type: 'ready' });
  for (const message of early.splice(0)) receive(message);
} catch (err) {
  post({ type: 'setup-failed', error: toWireError(err) });
  port.close();
}

async function createInstance(): Promise<object> {
  let exports: Record<string, unknown>;
  try {
    exports = await import(init.moduleUrl);
  } catch (err) {
    throw new CatenaeError(ErrorCode.NoLink, `a worker thread cannot load ${init.moduleUrl}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const definition = linksOfModule(exports, init.moduleUrl).find((link) => link.name === init.linkName);
  if (!definition) throw new CatenaeError(ErrorCode.NoLink, `${init.moduleUrl} exports no link named "${init.linkName}", which --workers loads in each worker thread`);
  return definition.create();
}

function receive(message: ToWorker): void {
  switch (message.type) {
    case 'tasks':
      for (const task of unpackBatch<TaskMessage>(message.tasks)) {
        runTask(task);
        outbox.flushIfDue();
      }
      outbox.flush();
      return;
    case 'delivered':
      return control.delivered(message.id, message.error);
    case 'finish':
      void finish();
  }
}

function runTask(task: TaskMessage): void {
  const outputs: unknown[] = [];
  let result: unknown[] | Promise<unknown[]>;
  try {
    const handler = handlerOf(task.method);
    result = taskOutputs.run(outputs, runHandler, handler.fn, handler.kind, instance!, new Electron(task.electron), ctx);
  } catch (err) {
    return outbox.push(failed(task.id, err));
  }
  if (Array.isArray(result)) return outbox.push(succeeded(task.id, outputs, result));
  result.then(
    (items) => {
      outbox.push(succeeded(task.id, outputs, items));
      outbox.scheduleFlush();
    },
    (err: unknown) => {
      outbox.push(failed(task.id, err));
      outbox.scheduleFlush();
    },
  );
}

function handlerOf(method: string): { fn: Function; kind: HandlerKind } {
  let handler = handlers.get(method);
  if (handler === undefined) {
    const fn = (instance as Record<string, unknown>)[method];
    if (typeof fn !== 'function') throw new CatenaeError(ErrorCode.BadLink, `link ${init.linkName}: handler ${method} is not a method in the worker thread`);
    handler = { fn, kind: handlerKind(fn) };
    handlers.set(method, handler);
  }
  return handler;
}

/** A task's result: what `ctx.send` added while it ran, then what it returned or yielded. */
function succeeded(id: number, sent: unknown[], items: unknown[]): WorkerEvent {
  const all = sent.length === 0 ? items : items.length === 0 ? sent : [...sent, ...items];
  return { kind: 'result', id, outputs: all.length === 0 ? undefined : toWireOutputs(all), error: undefined };
}

function failed(id: number, err: unknown): WorkerEvent {
  return { kind: 'result', id, outputs: undefined, error: toWireError(err) };
}

async function finish(): Promise<void> {
  let error;
  const fn = (instance as { finish?: Function }).finish;
  try {
    if (typeof fn === 'function') await fn.call(instance, ctx);
  } catch (err) {
    error = toWireError(err);
  }
  outbox.flush();
  post({ type: 'finished', error });
}
