import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { Electron, Generator, Link, Rpc, TestDriver, Transform, type Context } from '../index.js';
import { parseTraceparent } from './traceparent.js';

@Link({ output: 'traced_lines' })
class TracedSource {
  @Generator()
  *lines() {
    yield new Electron({ key: 'a', value: 'one' });
    yield new Electron({ key: 'b', value: 'two' });
  }
}

@Link({ inputs: ['traced_lines'], output: 'traced_upper' })
class TracedMiddle {
  @Transform()
  upper(line: Electron<string>, ctx: Context) {
    void ctx.rpc.notify('TracedAudit', 'seen', line.value);
    // An input's headers re-emitted as they came: the link's own traceparent replaces theirs.
    return new Electron({ key: line.key, value: line.value.toUpperCase(), headers: line.headers });
  }
}

@Link({ inputs: ['traced_upper'], output: 'traced_out' })
class TracedAsync {
  @Transform()
  async later(line: Electron<string>, ctx: Context) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    ctx.send(`${line.value}!`); // after an await: the context manager carries the span
  }
}

const audited: string[] = [];
@Link()
class TracedAudit {
  @Rpc()
  seen(value: string) {
    audited.push(value);
  }
}

@Link({ inputs: ['traced_bad'] })
class TracedFailing {
  @Transform()
  fail() {
    throw new Error('refused');
  }
}

function byName(spans: ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((span) => span.name === name);
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

describe('tracing through @opentelemetry/api', () => {
  it('makes no span and writes no header while no SDK is registered', async () => {
    const driver = await TestDriver.start([TracedMiddle], { links: { TracedMiddle: { inputs: ['untraced_in'], output: 'untraced_out' } } });
    try {
      await driver.send('untraced_in', 'x');
      await driver.drain();
      assert.equal(driver.read('untraced_out')[0]?.headers, undefined);
    } finally {
      await driver.close();
    }
  });

  it('a span per handled electron, one trace per electron from the source to the leaf, and through RPC', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
    try {
      const driver = await TestDriver.start([TracedAudit, TracedAsync, TracedMiddle, TracedSource, TracedFailing], { links: { TracedFailing: { retries: 0, logLevel: 'silent' } } });
      try {
        await driver.send('traced_bad', 'x');
        await driver.drain();
        for (let i = 0; i < 100 && audited.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        await driver.close();
      }
      const spans = exporter.getFinishedSpans();
      const sends = byName(spans, 'send traced_lines');
      assert.equal(sends.length, 2, 'the source starts a trace per electron');
      assert.ok(sends.every((span) => span.kind === SpanKind.PRODUCER && parentOf(span) === undefined));
      for (const send of sends) {
        const traceId = send.spanContext().traceId;
        const inTrace = spans.filter((span) => span.spanContext().traceId === traceId);
        const middle = byName(inTrace, 'process traced_lines');
        const after = byName(inTrace, 'process traced_upper');
        const served = byName(inTrace, 'TracedAudit/seen');
        assert.equal(middle.length, 1);
        assert.equal(after.length, 1);
        assert.equal(served.length, 1, 'the RPC made in the handler is served in the same trace');
        assert.equal(parentOf(middle[0]!), send.spanContext().spanId);
        assert.equal(parentOf(after[0]!), middle[0]!.spanContext().spanId);
        assert.equal(parentOf(served[0]!), middle[0]!.spanContext().spanId);
        assert.equal(served[0]!.kind, SpanKind.SERVER);
        const attributes = middle[0]!.attributes;
        assert.equal(middle[0]!.kind, SpanKind.CONSUMER);
        assert.equal(attributes['catenae.link'], 'TracedMiddle');
        assert.equal(attributes['messaging.destination.name'], 'traced_lines');
        assert.equal(typeof attributes['messaging.destination.partition.id'], 'string');
        assert.equal(typeof attributes['messaging.kafka.offset'], 'number');
        assert.equal(attributes['messaging.consumer.group.name'], 'catenae_tracedmiddle');
      }
      const outputs = driver.read('traced_out');
      assert.equal(outputs.length, 2);
      for (const output of outputs) {
        const parent = parseTraceparent(String(output.headers?.traceparent));
        const handler = spans.find((span) => span.spanContext().spanId === parent?.spanId);
        assert.equal(handler?.name, 'process traced_upper', 'what an async handler sends after an await carries its span');
      }
      const upper = driver.broker.topicRecords('traced_upper');
      assert.ok(upper.every((record) => record.headers!.filter((header) => 'traceparent' in header).length === 1), 'one traceparent, not the input\'s too');
      const failed = byName(spans, 'process traced_bad');
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.status.code, SpanStatusCode.ERROR);
      assert.equal(failed[0]!.status.message, 'refused');
    } finally {
      await provider.shutdown();
      trace.disable();
    }
  });
});
