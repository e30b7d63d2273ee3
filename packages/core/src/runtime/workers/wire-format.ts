import { deserialize, serialize } from 'node:v8';
import { Electron, type ElectronInit, type Headers } from '../../electron.js';
import { CatenaeError, ErrorCode } from '../../errors.js';
import type { WireError } from './worker-messages.js';
import { stackTrace } from '../error-fields.js';

// Messages between the main thread and a worker travel in V8's serialization, the transparent
// codec's format: a value reaches the other thread exactly as it would reach the next link
// (nested Buffers stay Buffers, which a plain postMessage would turn into Uint8Arrays; Map, Set,
// Date, BigInt too). One serialization per batch of messages, its buffer transferred, not
// copied: one per electron halved the throughput of a trivial handler (workers.bench.mjs).

/** An electron's fields as they cross threads. */
export type WireElectron = ElectronInit<unknown, unknown>;

/** The fields of an input electron, for a worker. */
export function toWireElectron(electron: Electron): WireElectron {
  const { key, value, topic, previousTopic, timestamp, headers, partition, offset } = electron;
  return { key, value, topic, previousTopic, timestamp, headers, partition, offset };
}

/** An output as it travels: an Electron's fields (`e` set), or a bare value. */
export interface WireOutput {
  e: boolean;
  value: unknown;
  key?: unknown;
  topic?: string;
  headers?: Headers;
  timestamp?: number;
}

/** What a handler emitted (values, or Electrons keeping key, topic, headers and timestamp), for the main thread. */
export function toWireOutputs(items: readonly unknown[]): WireOutput[] {
  const wire: WireOutput[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    wire[i] =
      item instanceof Electron
        ? { e: true, value: item.value, key: item.key, topic: item.topic, headers: item.headers, timestamp: item.timestamp }
        : { e: false, value: item };
  }
  return wire;
}

/** The outputs {@link toWireOutputs} made, rebuilt: values, or Electrons for the dispatcher to emit. */
export function fromWireOutputs(wire: readonly WireOutput[]): unknown[] {
  const items: unknown[] = new Array(wire.length);
  for (let i = 0; i < wire.length; i++) {
    const { e, value, key, topic, headers, timestamp } = wire[i]!;
    items[i] = e ? new Electron({ value, key: key as string | null, topic, headers, timestamp }) : value;
  }
  return items;
}

/**
 * Serializes a batch of messages in one go. Should one of them hold what V8 cannot serialize
 * (a function), each is tried alone and `replace` decides what goes instead of a failing one
 * (undefined: nothing).
 */
export function packBatch<T>(items: T[], replace: (item: T, err: CatenaeError) => T | undefined): Uint8Array {
  try {
    return serialize(items);
  } catch {
    const kept: T[] = [];
    for (const item of items) {
      try {
        serialize(item);
        kept.push(item);
      } catch (err) {
        const replacement = replace(item, unserializable(err));
        if (replacement !== undefined) kept.push(replacement);
      }
    }
    return serialize(kept);
  }
}

/** The buffer to transfer (not copy) with a packed batch, when the batch owns all of it. */
export function transferOf(bytes: Uint8Array): ArrayBuffer[] {
  const buffer = bytes.buffer as ArrayBuffer;
  return bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength ? [buffer] : [];
}

/** A batch {@link packBatch} serialized. */
export function unpackBatch<T>(bytes: Uint8Array): T[] {
  return deserialize(bytes) as T[];
}

/** @throws CatenaeError `CATENAE_ENCODE` when `value` cannot cross threads. */
export function checkSerializable(value: unknown): void {
  try {
    serialize(value);
  } catch (err) {
    throw unserializable(err);
  }
}

/** Never retried: the same value fails the same way. */
function unserializable(err: unknown): CatenaeError {
  return new CatenaeError(ErrorCode.Encode, `a value cannot cross to or from a worker thread: ${(err as Error).message}`, { cause: err });
}

/** An error, reduced to what survives a thread hop. */
export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    // The causes travel inside the stack: a cause itself does not cross the thread.
    return { name: err.name, message: err.message, code: typeof code === 'string' ? code : undefined, stack: stackTrace(err) ?? err.stack };
  }
  return { name: 'Error', message: String(err), code: undefined, stack: undefined };
}

const CODES = new Set<string>(Object.values(ErrorCode));

/** The error a worker reported, rebuilt: a {@link CatenaeError} when it carried a Catenae code. */
export function fromWireError(wire: WireError): Error {
  const err = wire.code !== undefined && CODES.has(wire.code) ? new CatenaeError(wire.code as ErrorCode, wire.message) : new Error(wire.message);
  if (!(err instanceof CatenaeError)) {
    err.name = wire.name;
    if (wire.code !== undefined) (err as Error & { code: string }).code = wire.code;
  }
  if (wire.stack !== undefined) err.stack = wire.stack;
  return err;
}
