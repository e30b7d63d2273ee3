import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Electron, TestDriver } from '@catenae/core';
import { Printer } from './leaf.js';
import { Upper } from './middle.js';
import { Source } from './source.js';

// TestDriver runs the links in this process on an embedded broker: no Kafka needed.

test('the middle link upper-cases each line and keeps its key', async () => {
  const driver = await TestDriver.start([Upper]);
  try {
    await driver.send('lines', new Electron({ key: 'k', value: 'hello' }));
    await driver.drain(); // until nothing is in flight
    const out = driver.read<string>('upper');
    assert.deepEqual(out.map((e) => [e.key, e.value]), [['k', 'HELLO']]);
  } finally {
    await driver.close();
  }
});

test('every line of the source reaches the leaf, upper-cased', async () => {
  const driver = await TestDriver.start([Source, Upper, Printer]);
  try {
    // The source runs at once, then every second of the links' clock, which the driver moves.
    for (let second = 1; second <= 2; second++) {
      await driver.advanceTime(1000);
      await driver.drain(); // until nothing is in flight
    }
    const printer = driver.instances('Printer')[0]!.instance as Printer;
    for (const n of [0, 1, 2]) assert.ok(printer.printed.includes(`HELLO CATENAE ${n}`), `line ${n} reached the leaf`);
    assert.ok(printer.printed.every((line) => /^HELLO CATENAE \d+$/.test(line)));
  } finally {
    await driver.close();
  }
});
