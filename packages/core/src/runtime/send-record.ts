import type { OutgoingRecord } from '../transport/records.js';
import type { SendOptions } from './context.js';
import type { Emitter } from './emitter.js';

/**
 * Queues one `ctx.send` output. Without options it costs a push and a scheduled flush; with
 * `onDelivered` the callback rides on its group's acknowledgement; with `sync` the returned
 * promise settles on it.
 */
export function sendRecord(emitter: Emitter, record: OutgoingRecord, options: SendOptions | undefined): Promise<void> | undefined {
  if (options?.onDelivered === undefined && !options?.sync) {
    emitter.push(record);
    emitter.scheduleFlush();
    return undefined;
  }
  if (!options.sync) {
    emitter.pushWithCallback(record, options.onDelivered!);
    return undefined;
  }
  return new Promise((resolve, reject) => {
    emitter.pushWithCallback(record, (err) => {
      options.onDelivered?.(err);
      if (err) reject(err);
      else resolve();
    });
  });
}
