import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { OutgoingRecord } from '../transport/records.js';
import type { Transport } from '../transport/transport.js';
import { PartitionTracker } from './commit-tracker.js';
import { Emitter } from './emitter.js';
import type { ChangeSource, OutputGroup } from './output-group.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

// A transport that keeps each produce call's acknowledgement for the test to give.
function holdingTransport(): { transport: Transport; acks: ((err: Error | null) => void)[] } {
  const acks: ((err: Error | null) => void)[] = [];
  const transport = { produce: (_records: OutgoingRecord[], onAcked: (err: Error | null) => void) => acks.push(onAcked) } as unknown as Transport;
  return { transport, acks };
}

const recordOf = (value: string): OutgoingRecord => ({ topic: 'out', partition: undefined, key: null, value: Buffer.from(value), headers: undefined, timestamp: undefined });

describe('Emitter', () => {
  it('releases an acknowledged group while later ones are still in flight, in order', () => {
    const { transport, acks } = holdingTransport();
    const emitter = new Emitter(transport, () => {}, (err) => assert.fail(err));
    const tracker = new PartitionTracker('in', 0);
    for (let offset = 0; offset < 3; offset++) {
      emitter.push(recordOf(`v${offset}`));
      emitter.inputDone(tracker, tracker.register(offset));
      emitter.flush();
    }
    acks[1]!(null);
    assert.equal(tracker.committable, -1, 'the second group waits for the first');
    acks[0]!(null);
    assert.equal(tracker.committable, 2);
    assert.equal(emitter.unackedRecords, 1);
  });

  it('a delivery callback that hands over a finished input is released after the group that called it, not inside it', () => {
    const { transport, acks } = holdingTransport();
    const emitter = new Emitter(transport, () => {}, (err) => assert.fail(err));
    emitter.carry({ hasPending: false, emitTo() {}, acknowledged() {} });
    const tracker = new PartitionTracker('in', 0);
    // The callback runs while the first group is released; what it flushes has no records, so it
    // is acknowledged at once and asks for a release of its own.
    emitter.pushWithCallback(recordOf('a'), () => {
      emitter.inputDone(tracker, tracker.register(0));
      emitter.flushAll();
    });
    emitter.flush();
    emitter.push(recordOf('b'));
    emitter.flush();
    assert.doesNotThrow(() => acks[0]!(null));
    acks[1]!(null);
    assert.equal(tracker.committable, 1);
    assert.equal(emitter.isIdle, true);
  });

  it('keeps no acknowledged output alive while a busy link always has a group in flight', async () => {
    const { transport, acks } = holdingTransport();
    const emitter = new Emitter(transport, () => {}, (err) => assert.fail(err));
    let released: WeakRef<OutgoingRecord> | undefined;
    // Each group is acknowledged only once the next one is in flight: the queue never empties.
    for (let i = 0; i < 600; i++) {
      const record = recordOf(`v${i}`);
      if (i === 0) released = new WeakRef(record);
      emitter.push(record);
      emitter.flush();
      if (i > 0) acks[i - 1]!(null);
    }
    acks.length = 0; // the test's own references to the produce calls
    await nextTurn();
    collectGarbage();
    assert.equal(released!.deref(), undefined, 'the first output is still referenced');
    assert.equal(emitter.unackedRecords, 1);
  });
});

/** A transport that acknowledges every produce on a later turn and keeps what it was given. */
function ackingTransport(produced: OutgoingRecord[][]): Transport {
  return {
    produce(records: OutgoingRecord[], onAcked: (err: Error | null) => void) {
      produced.push(records);
      setImmediate(() => onAcked(null));
    },
  } as unknown as Transport;
}

/** Table changes that every handled input renews: always pending until carried out. */
class EverChanging implements ChangeSource {
  hasPending = false;
  emitTo(group: OutputGroup): void {
    group.records.push({ topic: 'counts.changelog', partition: 0, key: 'word', value: null, headers: undefined, timestamp: undefined });
    this.hasPending = false;
  }
  acknowledged(): void {}
}

describe('Emitter with table changes', () => {
  it('carries the changes out once 50,000 handled inputs wait for them, and commits those inputs after the ack', async () => {
    const produced: OutgoingRecord[][] = [];
    let progressed = 0;
    const emitter = new Emitter(ackingTransport(produced), () => progressed++, (err) => assert.fail(err));
    const changes = new EverChanging();
    emitter.carry(changes);
    const tracker = new PartitionTracker('words', 0);
    for (let offset = 0; offset < 50_001; offset++) {
      const seq = tracker.register(offset);
      changes.hasPending = true;
      emitter.inputDone(tracker, seq);
    }
    emitter.flush();
    assert.equal(produced.length, 1);
    assert.equal(produced[0]![0]!.topic, 'counts.changelog');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(progressed > 0);
    assert.equal(tracker.committable, 50_001);
  });
});
