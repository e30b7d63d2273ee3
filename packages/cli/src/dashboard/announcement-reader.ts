import { randomBytes } from 'node:crypto';
import { INSTANCES_TOPIC, parseAnnouncement, type RawRecord, type Transport, type TransportFactory } from '@catenae/core';
import type { TopologyState } from './topology-state.js';

const FETCH_MAX = 500;
const FETCH_WAIT_MS = 250;
const TOPIC_POLL_MS = 1000;

/**
 * Reads `catenae.instances` into a {@link TopologyState}, from the oldest announcement kept (the
 * topic keeps an hour, compacted by uid), in a consumer group of its own that never commits: it
 * changes nothing in Kafka, and the broker forgets the group once the dashboard leaves. Until
 * the topic exists (no instance announced itself yet) it waits for it rather than create it.
 */
export class AnnouncementReader {
  readonly #transport: Transport;
  readonly #state: TopologyState;
  #isClosed = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(factory: TransportFactory, state: TopologyState) {
    const id = `catenae-dashboard-${randomBytes(4).toString('hex')}`;
    this.#transport = factory.create({ clientId: id, groupId: id, config: { 'auto.offset.reset': 'earliest' } });
    this.#state = state;
  }

  /** Connects (rejecting when the broker cannot be reached), then reads in the background. */
  async start(): Promise<void> {
    await this.#transport.connect();
    this.#loop = this.#read();
  }

  /** Stops reading and closes the client. */
  async close(): Promise<void> {
    this.#isClosed = true;
    this.#wake?.();
    await this.#loop;
    await this.#transport.close();
  }

  async #read(): Promise<void> {
    while (!this.#isClosed && (await this.#transport.partitionCount(INSTANCES_TOPIC).catch(() => undefined)) === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, TOPIC_POLL_MS);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (this.#isClosed) return;
    this.#transport.subscribe([INSTANCES_TOPIC], { onAssigned: () => undefined, onRevoked: () => undefined });
    while (!this.#isClosed) {
      // A failed fetch (a broker gone for a while) is tried again after a pause.
      const records = await new Promise<RawRecord[]>((resolve) =>
        this.#transport.fetch(FETCH_MAX, FETCH_WAIT_MS, (err, batch) => (err ? setTimeout(() => resolve([]), FETCH_WAIT_MS) : resolve(batch))),
      );
      const now = Date.now();
      for (const record of records) {
        const announcement = parseAnnouncement(record.value);
        if (announcement !== undefined) this.#state.add(announcement, now);
      }
    }
  }
}
