import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniqueTopic } from '../support/catenae-process.js';
import { audit, createTopic, produceKeyed, readTopic, writtenCount } from '../support/kafka-admin.js';
import { consumePlain, producePlain, type PlainRecord } from '../support/plain-kafka.js';
import { FaultProcesses } from './fault-processes.js';
import { recordFigure } from './figures.js';
import { until } from './until.js';

const ELECTRONS = 10_000;
const KEYS = 100;
const processes = new FaultProcesses();

/** The header values of a record as text, by name. */
function headersOf(headers: Record<string, Buffer | string>[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const header of headers ?? []) for (const [name, value] of Object.entries(header)) map.set(name, value.toString());
  return map;
}

describe('a poison electron, on the real broker', { timeout: 180_000 }, () => {
  for (const [mode, flags] of [['async', []], ['exactly-once', ['--eos']]] as const) {
    it(`${mode}: it reaches <topic>.dlq with its error and source, everything else flows`, async () => {
      const input = uniqueTopic('poison_in');
      const output = uniqueTopic('poison_out');
      await createTopic(input, 4);
      await createTopic(output, 4);
      await until(async () => (await writtenCount(input, 4)) >= 0, 'the new topic to answer', 30_000);
      // The poison first, then the stream: every electron of its partition comes after it.
      await producePlain(input, [{ key: 'k7', value: 'poison' }]);
      await produceKeyed(input, ELECTRONS, KEYS);
      const relay = processes.run('poison-relay', ['-i', input, '-o', output, '-g', uniqueTopic('poison_group'), '--retry-backoff-ms', '10', '--log-level', 'error', ...flags]);
      // The runtime creates the dead-letter topic with the first dead letter; until then a reader fails.
      let dead: PlainRecord | undefined;
      await until(async () => {
        dead = (await consumePlain(`${input}.dlq`, 1, 5000).catch(() => []))[0];
        return dead !== undefined;
      }, 'the dead letter', 60_000);
      assert.ok(dead);
      assert.equal(dead.value.toString(), 'poison');
      assert.equal(dead.key, 'k7');
      const headers = headersOf(dead.headers);
      assert.match(headers.get('catenae-error') ?? '', /cannot digest poison/);
      assert.equal(headers.get('catenae-error-code'), 'CATENAE_HANDLER');
      assert.equal(headers.get('catenae-source-topic'), input);
      const source = (await consumePlain(input, ELECTRONS + 1)).find((r) => r.value.toString() === 'poison');
      assert.equal(headers.get('catenae-source-partition'), String(source?.partition));
      assert.equal(headers.get('catenae-source-offset'), '0');
      const records = await readTopic(output, (r) => r.length >= ELECTRONS, { idleMs: 2000, timeoutMs: 120_000 });
      assert.equal(await relay.stop(), 0);
      assert.ok(!records.some((r) => r.value === 'poison'), 'the poison is not emitted');
      const deadLetters = (await consumePlain(`${input}.dlq`, 2, 2000)).length;
      const result = audit(ELECTRONS, KEYS, records);
      recordFigure('a poison electron', mode, `1 poison before ${ELECTRONS} keyed electrons: dead letters ${deadLetters}, lost ${result.lost}, duplicated ${result.duplicated}`);
      assert.equal(result.lost, 0);
      assert.equal(deadLetters, 1);
    });
  }
});
