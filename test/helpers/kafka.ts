import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { OutgoingRecord, RawRecord, Transport } from '@catenae/core';

/** The broker the Kafka tests run against: `KAFKA_BOOTSTRAP`, else the local `kafka up` one. */
export const KAFKA_BOOTSTRAP = process.env['KAFKA_BOOTSTRAP'] ?? '127.0.0.1:9092';

/** A topic or group name no other test run uses. */
export function uniqueName(label: string): string {
  return `catenae-test-${label}-${randomBytes(4).toString('hex')}`;
}

/** Polls `check` every `intervalMs` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** `transport.fetch` as a promise. */
export function fetchOnce(transport: Transport, max: number, waitMs: number): Promise<RawRecord[]> {
  return new Promise((resolve, reject) => transport.fetch(max, waitMs, (err, records) => (err ? reject(err) : resolve(records))));
}

/** Fetches into `into` until `until()` holds; fails naming `what` after `timeoutMs`. */
export async function fetchUntil(
  transport: Transport,
  into: RawRecord[],
  until: () => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!until()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    into.push(...(await fetchOnce(transport, 1000, 100)));
  }
}

/** `transport.produce` as a promise that settles on the acknowledgement. */
export function produceAll(transport: Transport, records: OutgoingRecord[]): Promise<void> {
  return new Promise((resolve, reject) => transport.produce(records, (err) => (err ? reject(err) : resolve())));
}

/** An outgoing record with a string key and value. */
export function outgoing(topic: string, key: string | null, value: string, partition?: number): OutgoingRecord {
  return {
    topic,
    partition,
    key: key === null ? null : Buffer.from(key),
    value: Buffer.from(value),
    headers: undefined,
    timestamp: undefined,
  };
}
