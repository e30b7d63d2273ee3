import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingRecord } from '../transport/records.js';
import type { Transport } from '../transport/transport.js';
import { PartitionTracker } from './commit-tracker.js';
import { Emitter } from './emitter.js';
import type { ChangeSource, OutputGroup } from './output-group.js';

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
