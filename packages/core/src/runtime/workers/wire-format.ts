import { deserialize, serialize } from 'node:v8';
import { Electron, type Headers } from '../../electron.js';
import { CatenaeError, ErrorCode } from '../../errors.js';
import type { WireError } from './worker-messages.js';

// Electrons and outputs cross threads in V8's serialization, the transparent codec's format:
// a value reaches the other thread exactly as it would reach the next link (nested Buffers stay
// Buffers, which a plain postMessage would turn into Uint8Arrays; Map, Set, Date, BigInt too).

/** The fields of an input electron, serialized for a worker. */
export function packElectron(electron: Electron): Uint8Array {
  const { key, value, topic, previousTopic, timestamp, headers, partition, offset } = electron;
  return serialize({ key, value, topic, previousTopic, timestamp, headers, partition, offset });
}

/** The electron {@link packElectron} serialized, rebuilt in the receiving thread. */
export function unpackElectron(bytes: Uint8Array): Electron {
  return new Electron(deserialize(bytes));
}

/** An output as it travels: an Electron's fields (`e` set), or a bare value. */
interface WireOutput {
  e: boolean;
  value: unknown;
  key?: unknown;
  topic?: string;
  headers?: Headers;
  timestamp?: number;
}

/**
 * Serializes what a handler emitted (values or Electrons, which keep key, topic, headers and
 * timestamp). @throws CatenaeError `CATENAE_ENCODE` for a value V8 cannot serialize (a function).
 */
export function packOutputs(items: readonly unknown[]): Uint8Array {
  const wire: WireOutput[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    wire[i] =
      item instanceof Electron
        ? { e: true, value: item.value, key: item.key, topic: item.topic, headers: item.headers, timestamp: item.timestamp }
        : { e: false, value: item };
  }
  try {
    return serialize(wire);
  } catch (err) {
    throw new CatenaeError(ErrorCode.Encode, `an output cannot leave the worker thread: ${(err as Error).message}`, { cause: err });
  }
}

/** The outputs {@link packOutputs} serialized: values, or Electrons for the dispatcher to emit. */
export function unpackOutputs(bytes: Uint8Array): unknown[] {
  const wire = deserialize(bytes) as WireOutput[];
  const items: unknown[] = new Array(wire.length);
  for (let i = 0; i < wire.length; i++) {
    const { e, value, key, topic, headers, timestamp } = wire[i]!;
    items[i] = e ? new Electron({ value, key: key as string | null, topic, headers, timestamp }) : value;
  }
  return items;
}

/** An error, reduced to what survives a thread hop. */
export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, code: typeof code === 'string' ? code : undefined, stack: err.stack };
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
