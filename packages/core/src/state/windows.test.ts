import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  defineLink,
  EmbeddedBroker,
  Electron,
  ErrorCode,
  Link,
  Table,
  TestDriver,
  Transform,
  WindowClosed,
  type TimeWindow,
  type WindowedTable,
} from '../index.js';
import { EmbeddedTransportFactory } from '../broker/embedded-transport.js';
import { startLink } from '../runtime/start-link.js';

const MINUTE = 60_000;
// Event times in the past, far from the wall clock: windows close on event time alone.
const T0 = Date.UTC(2026, 0, 1);

function at(key: string, minute: number, second = 0, value: unknown = 1): Electron<unknown> {
  return new Electron({ key, value, timestamp: T0 + minute * MINUTE + second * 1000 });
}

/** The final results a link emitted: `key@minute=count`. */
function finals(driver: TestDriver, topic = 'per_minute'): string[] {
  return driver.read<{ start: number; count: number }>(topic).map((e) => `${e.key}@${(e.value.start - T0) / MINUTE}=${e.value.count}`);
}

@Link({ inputs: ['clicks'], output: 'per_minute' })
class PerMinute {
  @Table({ window: { size: '1m', grace: '30s', late: 'topic' } }) counts!: WindowedTable<string, number>;

  @Transform()
  count(electron: Electron) {
    this.counts.update(electron.key!, (n) => (n ?? 0) + 1);
  }

  @WindowClosed('counts')
  closed(key: string, window: TimeWindow, count: number) {
    return new Electron({ key, value: { start: window.start, count } });
  }
}

describe('windowed tables', () => {
  it('tumbling windows count per key and minute, and each closed window is emitted once, after its grace', async () => {
    const driver = await TestDriver.start([PerMinute], { broker: new EmbeddedBroker({ defaultPartitions: 1 }) });
    try {
      for (const e of [at('a', 0, 1), at('a', 0, 20), at('b', 0, 40), at('a', 0, 59), at('a', 1, 10)]) await driver.send('clicks', e);
      await driver.drain();
      assert.deepEqual(finals(driver), [], 'minute 0 is still within its grace at 1:10');
      await driver.send('clicks', at('b', 1, 31));
      await driver.drain();
      assert.deepEqual(finals(driver).sort(), ['a@0=3', 'b@0=1']);
      const [handle] = driver.instances('PerMinute');
      const counts = handle!.ctx.tables.counts as WindowedTable<string, number>;
      assert.equal(counts.get('a', T0 + 5_000), 3, 'a closed window stays readable until its retention');
      assert.equal(counts.get('a', T0 + MINUTE + 40_000), 1);
      assert.deepEqual(counts.range('a', T0, T0 + 2 * MINUTE).map(([w, n]) => [(w.start - T0) / MINUTE, (w.end - T0) / MINUTE, n]), [
        [0, 1, 3],
        [1, 2, 1],
      ]);
      assert.equal(counts.streamTime('a'), T0 + MINUTE + 31_000);
      await driver.send('clicks', at('c', 3));
      await driver.drain();
      assert.deepEqual(finals(driver).sort(), ['a@0=3', 'a@1=1', 'b@0=1', 'b@1=1']);
    } finally {
      await driver.close();
    }
  });

  it('an electron within the grace still counts; one too late is counted out, logged and sent to <topic>.late', async () => {
    const driver = await TestDriver.start([PerMinute], { broker: new EmbeddedBroker({ defaultPartitions: 1 }) });
    try {
      await driver.send('clicks', at('a', 2, 0));
      await driver.send('clicks', at('a', 1, 50));
      await driver.send('clicks', at('a', 1, 20, 'in grace'));
      await driver.send('clicks', at('a', 0, 50, 'too late'));
      await driver.drain();
      const late = driver.read('clicks.late');
      assert.deepEqual(late.map((e) => e.value), ['too late']);
      const [raw] = driver.broker.topicRecords('clicks.late');
      assert.ok(raw!.headers?.some((h) => String(h['catenae-late-tables']) === 'counts'), 'the late record names its tables in a header');
      const [handle] = driver.instances('PerMinute');
      const counts = handle!.ctx.tables.counts as WindowedTable<string, number>;
      assert.equal(counts.get('a', T0 + MINUTE), 2, 'the in-grace electron counts in minute 1');
      assert.equal(counts.get('a', T0), undefined, 'minute 0 never had a count');
    } finally {
      await driver.close();
    }
  });

  it('hopping windows: an electron counts in every window that holds it', async () => {
    @Link({ inputs: ['events'], output: 'totals' })
    class Hopping {
      @Table({ window: { size: '10m', advance: '5m' } }) sums!: WindowedTable<string, number>;
      @Transform()
      add(electron: Electron<number>) {
        this.sums.update(electron.key!, (n) => (n ?? 0) + electron.value);
      }
      @WindowClosed('sums')
      *closed(key: string, window: TimeWindow, sum: number) {
        yield new Electron({ key, value: `${(window.start - T0) / MINUTE}-${(window.end - T0) / MINUTE}:${sum}` });
      }
    }
    const driver = await TestDriver.start([Hopping], { broker: new EmbeddedBroker({ defaultPartitions: 1 }) });
    try {
      for (const [minute, value] of [[1, 1], [7, 10], [12, 100], [40, 0]] as const) await driver.send('events', at('k', minute, 0, value));
      await driver.drain();
      assert.deepEqual(driver.read('totals').map((e) => e.value), ['-5-5:1', '0-10:11', '5-15:110', '10-20:100']);
    } finally {
      await driver.close();
    }
  });

  it('session windows grow with their electrons, merge when one bridges two, and close after the gap', async () => {
    const Sessions = defineLink({
      name: 'Sessions',
      inputs: ['visits'],
      output: 'sessions',
      tables: { visits: { window: { gap: '5m', grace: '10m', merge: (a: number, b: number) => a + b } } },
      transform(electron: Electron, ctx) {
        (ctx.tables.visits as WindowedTable<string, number>).update(electron.key!, (n) => (n ?? 0) + 1);
      },
      windowClosed: {
        visits: (key: string, window: TimeWindow, n: number) => new Electron({ key, value: `${(window.start - T0) / MINUTE}..${(window.end - 1 - T0) / MINUTE}:${n}` }),
      },
    });
    const driver = await TestDriver.start([Sessions], { broker: new EmbeddedBroker({ defaultPartitions: 1 }) });
    try {
      for (const minute of [0, 2, 10, 13]) await driver.send('visits', at('u', minute));
      await driver.drain();
      assert.deepEqual(driver.read('sessions').map((e) => e.value), [], 'two sessions open: 0..2 and 10..13');
      await driver.send('visits', at('u', 6));
      await driver.drain();
      const [handle] = driver.instances('Sessions');
      const visits = handle!.ctx.tables.visits as WindowedTable<string, number>;
      assert.deepEqual([...visits.entries()].map(([k, w, n]) => [k, (w.start - T0) / MINUTE, (w.end - 1 - T0) / MINUTE, n]), [['u', 0, 13, 5]], 'minute 6 bridges them');
      assert.deepEqual(driver.windows('Sessions', 'visits').map(([k, w, n]) => [k, (w.start - T0) / MINUTE, n]), [['u', 0, 5]]);
      assert.throws(() => driver.table('Sessions', 'visits'), { code: ErrorCode.BadLink, message: /is windowed: read it with driver.windows/ });
      await driver.send('visits', at('u', 30));
      await driver.drain();
      assert.deepEqual(driver.read('sessions').map((e) => e.value), ['0..13:5']);
    } finally {
      await driver.close();
    }
  });

  it('a one-hour window closes on wall-clock time when its partition goes idle, in milliseconds under advanceTime', async () => {
    @Link({ inputs: ['logs'], output: 'hourly' })
    class Hourly {
      @Table({ window: { size: '1h', idleClose: '1m' } }) lines!: WindowedTable<string, number>;
      @Transform()
      add(electron: Electron) {
        this.lines.update(electron.key!, (n) => (n ?? 0) + 1);
      }
      @WindowClosed('lines')
      closed(key: string, _window: TimeWindow, n: number) {
        return new Electron({ key, value: n });
      }
    }
    const startedAt = Date.now();
    const driver = await TestDriver.start([Hourly], { broker: new EmbeddedBroker({ defaultPartitions: 1 }) });
    try {
      const hour = Math.floor(driver.now() / 3_600_000) * 3_600_000;
      for (let i = 0; i < 5; i++) await driver.send('logs', new Electron({ key: 'web', value: 'GET /', timestamp: hour + i * 1000 }));
      await driver.drain();
      await driver.advanceTime(30 * MINUTE);
      await driver.drain();
      assert.deepEqual(driver.read('hourly').map((e) => e.value), [], 'not idle long enough to pass the hour yet');
      await driver.advanceTime(60 * MINUTE);
      await driver.drain();
      assert.deepEqual(driver.read('hourly').map((e) => [e.key, e.value]), [['web', 5]]);
      assert.ok(Date.now() - startedAt < 5000, 'an hour of windows in a few seconds at most');
    } finally {
      await driver.close();
    }
  });

  it('open windows and stream time survive a restart; a closed window is not emitted again', async () => {
    const broker = new EmbeddedBroker({ defaultPartitions: 1 });
    const first = await TestDriver.start([PerMinute], { broker });
    for (const e of [at('a', 0, 5), at('a', 1, 0), at('a', 1, 40)]) await first.send('clicks', e);
    await first.drain();
    assert.deepEqual(finals(first), ['a@0=1']);
    await first.close();
    const second = await TestDriver.start([PerMinute], { broker });
    try {
      await second.send('clicks', at('a', 1, 50));
      await second.send('clicks', at('a', 0, 10, 'late after the restart too'));
      await second.send('clicks', at('a', 3, 0));
      await second.drain();
      assert.deepEqual(finals(second), ['a@0=1', 'a@1=3'], 'minute 1 counted across the restart, minute 0 once');
      assert.deepEqual(second.read('clicks.late').map((e) => e.value), ['late after the restart too']);
    } finally {
      await second.close();
    }
  });

  it('exactly-once: each window closes once with its count', async () => {
    const driver = await TestDriver.start([PerMinute], { broker: new EmbeddedBroker({ defaultPartitions: 2 }), links: { PerMinute: { mode: 'exactly-once' } } });
    try {
      for (let minute = 0; minute < 5; minute++) for (const key of ['a', 'b', 'c']) for (let i = 0; i <= minute; i++) await driver.send('clicks', at(key, minute, i));
      await driver.send('clicks', at('a', 9));
      await driver.send('clicks', at('b', 9));
      await driver.send('clicks', at('c', 9));
      await driver.drain();
      const expected = ['a', 'b', 'c'].flatMap((key) => [0, 1, 2, 3, 4].map((minute) => `${key}@${minute}=${minute + 1}`));
      assert.deepEqual(finals(driver).sort(), expected.sort());
    } finally {
      await driver.close();
    }
  });

  it('expired windows leave the table (tombstones in the changelog) after their retention', async () => {
    @Link({ inputs: ['in'] })
    class Short {
      @Table({ window: { size: '1m', retention: '2m' } }) t!: WindowedTable<string, number>;
      @Transform()
      add(electron: Electron) {
        this.t.update(electron.key!, (n) => (n ?? 0) + 1);
      }
    }
    const driver = await TestDriver.start([Short], { broker: new EmbeddedBroker({ defaultPartitions: 1 }) });
    try {
      await driver.send('in', at('k', 0));
      await driver.send('in', at('k', 2, 30));
      await driver.drain();
      const table = driver.instances('Short')[0]!.ctx.tables.t as WindowedTable<string, number>;
      assert.equal(table.size, 2, 'minute 0 is kept until 0:01 + 2m');
      await driver.send('in', at('k', 3, 1));
      await driver.drain();
      assert.deepEqual([...table.entries()].map(([, w]) => (w.start - T0) / MINUTE), [2, 3]);
      const changelog = driver.broker.topicRecords('catenae_short.t.changelog');
      assert.ok(changelog.some((r) => r.value === null), 'a tombstone for the dropped window');
    } finally {
      await driver.close();
    }
  });

  it('bad window options and @WindowClosed on a table that is not windowed are refused with one line', async () => {
    const transport = new EmbeddedTransportFactory(new EmbeddedBroker());
    const make = (window: object) => defineLink({ name: 'Bad', inputs: ['x'], tables: { t: { window } }, transform() {} });
    for (const [window, message] of [
      [{ size: '1m', gap: '1m' }, /either a gap .* or a size/],
      [{ gap: '5m' }, /need window.merge/],
      [{ size: 'soon' }, /window.size is "soon"/],
      [{ size: '1m', advance: '2m' }, /advance must be above 0 and at most the size/],
      [{ size: '1m', grace: '1m', retention: '10s' }, /retention .* must be at least its grace/],
    ] as const) {
      await assert.rejects(startLink(make(window), { transport, logLevel: 'silent' }), (err: Error & { code?: string }) => {
        assert.equal(err.code, ErrorCode.BadLink);
        assert.match(err.message, message);
        return true;
      });
    }
    const wrong = defineLink({ name: 'Wrong', inputs: ['x'], tables: { t: {} }, transform() {}, windowClosed: { t: () => undefined } });
    await assert.rejects(startLink(wrong, { transport, logLevel: 'silent' }), { code: ErrorCode.BadLink, message: /@WindowClosed\('t'\) .* names no windowed table/ });
  });

  it('a windowed table with an Avro record schema keeps its windows and its stream time (a time no record schema fits)', async () => {
    const schema = { type: 'record', name: 'Visits', fields: [{ name: 'count', type: 'int' }] };
    const link = defineLink({
      name: 'AvroWindows',
      inputs: ['visits'],
      output: 'visit_minutes',
      tables: { perMinute: { window: { size: '1m' }, codec: 'avro', schema } },
      transform(electron, ctx) {
        const table = ctx.tables.perMinute as WindowedTable<string, { count: number }>;
        table.update(electron.key!, (v) => ({ count: (v?.count ?? 0) + 1 }));
      },
      windowClosed: { perMinute: (key: string, window: TimeWindow, v: { count: number }) => new Electron({ key, value: `${(window.start - T0) / MINUTE}=${v.count}` }) },
    });
    const driver = await TestDriver.start([link], { broker: new EmbeddedBroker({ defaultPartitions: 1 }) });
    try {
      for (const e of [at('a', 0, 1), at('a', 0, 30), at('a', 1, 5)]) await driver.send('visits', e);
      await driver.drain();
      assert.deepEqual(driver.read('visit_minutes').map((e) => e.value), ['0=2']);
      assert.deepEqual(driver.windows<string, { count: number }>('AvroWindows', 'perMinute').map(([key, window, v]) => `${key}@${(window.start - T0) / MINUTE}=${v.count}`), ['a@0=2', 'a@1=1']);
    } finally {
      await driver.close();
    }
  });
});
