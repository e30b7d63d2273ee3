import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { Electron, defineLink, startLink, type LinkHandle } from '@catenae/core';
import '@catenae/kafka';
import { KAFKA, uniqueTopic } from '../support/catenae-process.js';

// A user's OpenTelemetry SDK with the in-memory exporter, registered before the links start.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const lines = uniqueTopic('traced_lines');
const upper = uniqueTopic('traced_upper');
const COUNT = 5;
const printed: { value: string; traceparent: string | undefined }[] = [];
const handles: LinkHandle[] = [];

before(() => provider.register());
after(async () => {
  await Promise.all(handles.map((handle) => handle.stop()));
  await provider.shutdown();
  trace.disable();
});

it('source -> middle -> leaf on Kafka: each electron is one trace, a span per link with its topic, partition and offset', { timeout: 120_000 }, async () => {
  // Leaf and middle first, so their groups are assigned when the source writes.
  const leaf = defineLink({
    name: 'TracedLeaf',
    inputs: [upper],
    transform(electron: Electron<string>) {
      printed.push({ value: electron.value, traceparent: electron.headers?.traceparent?.toString() });
    },
  });
  const middle = defineLink({
    name: 'TracedMiddle',
    inputs: [lines],
    output: upper,
    async transform(electron: Electron<string>) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return new Electron({ key: electron.key, value: electron.value.toUpperCase() });
    },
  });
  let n = 0;
  const source = defineLink({ name: 'TracedSource', output: lines, generator: () => (n < COUNT ? new Electron({ key: `k${n}`, value: `line ${n++}` }) : undefined), interval: 10 });
  handles.push(await startLink(leaf, { kafka: KAFKA, logLevel: 'warn' }));
  handles.push(await startLink(middle, { kafka: KAFKA, logLevel: 'warn' }));
  handles.push(await startLink(source, { kafka: KAFKA, logLevel: 'warn' }));
  const deadline = Date.now() + 90_000;
  while (printed.length < COUNT && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(printed.length, COUNT, 'every electron reached the leaf');

  const spans = exporter.getFinishedSpans();
  const traces = new Map<string, ReadableSpan[]>();
  for (const span of spans) traces.set(span.spanContext().traceId, [...(traces.get(span.spanContext().traceId) ?? []), span]);
  const roots = spans.filter((span) => span.name === `send ${lines}`);
  assert.equal(roots.length, COUNT, 'the source starts one trace per electron');
  for (const root of roots) {
    const inTrace = traces.get(root.spanContext().traceId)!;
    assert.deepEqual(inTrace.map((span) => span.name).sort(), [`process ${lines}`, `process ${upper}`, `send ${lines}`].sort(), 'one trace: source, middle, leaf');
    const middleSpan = inTrace.find((span) => span.name === `process ${lines}`)!;
    const leafSpan = inTrace.find((span) => span.name === `process ${upper}`)!;
    assert.equal(middleSpan.parentSpanContext?.spanId, root.spanContext().spanId, 'the middle span is the child of the source span');
    assert.equal(leafSpan.parentSpanContext?.spanId, middleSpan.spanContext().spanId, 'the leaf span is the child of the middle span');
    assert.equal(middleSpan.parentSpanContext?.isRemote, true, 'the parent came through a Kafka header');
    for (const [span, link, topic] of [[middleSpan, 'TracedMiddle', lines], [leafSpan, 'TracedLeaf', upper]] as const) {
      assert.equal(span.kind, SpanKind.CONSUMER);
      assert.equal(span.attributes['catenae.link'], link);
      assert.equal(span.attributes['messaging.destination.name'], topic);
      assert.match(String(span.attributes['messaging.destination.partition.id']), /^[0-3]$/);
      assert.equal(typeof span.attributes['messaging.kafka.offset'], 'number');
    }
  }
  // The leaf sees the traceparent of the middle's span, as Kafka carried it (a header of text).
  for (const { traceparent } of printed) assert.match(traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
});
