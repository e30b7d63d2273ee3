import { CatenaeError, ErrorCode } from '../errors.js';
import { Electron } from '../electron.js';
import type { ElectronCodec } from '../codec/electron-codec.js';
import type { Context } from './context.js';
import type { Emitter } from './emitter.js';
import type { OutgoingRecord, RawRecord } from '../transport/records.js';
import type { LinkTables } from '../state/link-tables.js';
import { LinkTracing } from '../tracing/link-tracing.js';
import { tracingState } from '../tracing/tracing-state.js';

/** How a handler hands back its outputs, decided once per method from its function kind. */
export type HandlerKind = 'plain' | 'generator' | 'async-generator';

/** A resolved input handler: the method to call and how to read what it returns. */
export interface Handler {
  readonly method: string;
  readonly fn: (electron: Electron<any, any>, ctx: Context) => unknown;
  readonly kind: HandlerKind;
  /** An `async` function or async generator: its table writes are traced across awaits. */
  readonly isAsync: boolean;
}

/** Builds the handler of a method. */
export function handlerOf(method: string, fn: Handler['fn']): Handler {
  const kind = handlerKind(fn);
  return { method, fn, kind, isAsync: kind === 'async-generator' || fn.constructor?.name === 'AsyncFunction' };
}

/** The kind of a handler function, read from its constructor once at start. */
export function handlerKind(fn: Function): HandlerKind {
  const kind = fn.constructor?.name;
  if (kind === 'GeneratorFunction') return 'generator';
  if (kind === 'AsyncGeneratorFunction') return 'async-generator';
  return 'plain';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * Calls handlers and turns what they return or yield into outputs: `undefined` emits nothing,
 * an `Electron` keeps its key and topic, anything else (an array too) is one value for the
 * default output.
 */
export class Dispatcher {
  readonly #instance: object;
  readonly #ctx: Context;
  readonly #codec: ElectronCodec;
  readonly #emitter: Emitter;
  readonly #output: string | undefined;
  readonly #linkName: string;
  readonly #pinsKeyless: boolean;
  readonly #tables: LinkTables | undefined;
  readonly #tracing: LinkTracing;

  /**
   * @param pinsKeyless send keyless outputs to partition 0, so they keep their order downstream
   *   (the sequential modes); otherwise the transport spreads them over the partitions.
   * @param tables the link's tables, when it has any: each handler then runs in a write scope.
   */
  constructor(
    instance: object,
    ctx: Context,
    codec: ElectronCodec,
    emitter: Emitter,
    output: string | undefined,
    linkName: string,
    pinsKeyless: boolean,
    tables?: LinkTables,
  ) {
    this.#instance = instance;
    this.#ctx = ctx;
    this.#codec = codec;
    this.#emitter = emitter;
    this.#output = output;
    this.#linkName = linkName;
    this.#pinsKeyless = pinsKeyless;
    this.#tables = tables;
    this.#tracing = new LinkTracing(ctx);
  }

  // The electron being handled synchronously, its value as decoded, and its record: while the
  // handler runs, emitting that electron with that value reuses the record's bytes.
  #source: Electron | undefined;
  #sourceValue: unknown;
  #sourceRecord: RawRecord | undefined;

  /**
   * Runs a handler on one electron. Returns undefined when it finished synchronously (its outputs
   * are queued), or a promise when it is asynchronous. A synchronous throw propagates.
   * `record`: the record the electron was decoded from, untouched by any handler so far (a first
   * attempt): outputs of the electron with its value unchanged then reuse the record's bytes.
   */
  invoke(handler: Handler, electron: Electron, record?: RawRecord): Promise<void> | undefined {
    // Traced: inside the electron's span, without the reuse of the received bytes.
    if (tracingState.isOn) return this.#tracing.invoke(this.#invokeInSpan, handler, electron);
    const tables = this.#tables;
    if (record === undefined) return tables === undefined ? this.#run(handler, electron) : tables.invoke(handler, electron, this.#run);
    this.#source = electron;
    this.#sourceValue = electron.value;
    this.#sourceRecord = record;
    try {
      return tables === undefined ? this.#run(handler, electron) : tables.invoke(handler, electron, this.#run);
    } finally {
      this.#source = undefined;
      this.#sourceValue = undefined;
      this.#sourceRecord = undefined;
    }
  }

  // The same, called by the tracing inside the electron's span; the untraced path above stays
  // free of the extra call.
  readonly #invokeInSpan = (handler: Handler, electron: Electron): Promise<void> | undefined => {
    const tables = this.#tables;
    return tables === undefined ? this.#run(handler, electron) : tables.invoke(handler, electron, this.#run);
  };

  readonly #run = (handler: Handler, electron: Electron): Promise<void> | undefined => {
    const result = handler.fn.call(this.#instance, electron, this.#ctx);
    if (handler.kind === 'plain') {
      if (isThenable(result)) return Promise.resolve(result).then(this.#emitResolved);
      if (result !== undefined) this.emit(result, undefined);
      return undefined;
    }
    if (handler.kind === 'generator') {
      // All or nothing: a generator that throws half-way emits none of its items, so a retry
      // does not repeat them.
      const items = [...(result as Iterable<unknown>)];
      for (let i = 0; i < items.length; i++) if (items[i] !== undefined) this.emit(items[i], undefined);
      return undefined;
    }
    return this.#drain(result as AsyncIterable<unknown>);
  };

  /** Queues one output to `topic`, else an `Electron`'s own topic, else the default output. */
  emit(value: unknown, topic: string | undefined): void {
    this.#emitter.push(this.encode(value, topic));
  }

  /** Encodes one output. @throws CatenaeError `CATENAE_NO_OUTPUT` or `CATENAE_ENCODE` */
  encode(value: unknown, topic: string | undefined): OutgoingRecord {
    let record: OutgoingRecord;
    if (value instanceof Electron) {
      // Strings are immutable: the same string as decoded has the same bytes as received.
      const same = value === this.#source && value.value === this.#sourceValue ? this.#codec.plainBytesOf(this.#sourceRecord!) : undefined;
      record = this.#codec.encode(value.value, value.key, topic ?? value.topic ?? this.#output ?? this.#noOutput(), value.headers, value.timestamp, same);
    } else {
      record = this.#codec.encode(value, null, topic ?? this.#output ?? this.#noOutput(), undefined, undefined);
    }
    if (this.#pinsKeyless && record.key === null) record.partition = 0;
    if (tracingState.isOn) this.#tracing.inject(record);
    return record;
  }

  readonly #emitResolved = (value: unknown): void => {
    if (value !== undefined) this.emit(value, undefined);
  };

  async #drain(items: AsyncIterable<unknown>): Promise<void> {
    const collected: unknown[] = [];
    for await (const item of items) if (item !== undefined) collected.push(item);
    for (const item of collected) this.emit(item, undefined);
  }

  #noOutput(): never {
    throw new CatenaeError(
      ErrorCode.NoOutput,
      `link ${this.#linkName} emitted a value but has no output topic: pass -o, set @Link({ output }), or give the Electron a topic`,
    );
  }
}
