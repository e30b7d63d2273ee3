import type { Attributes, Context as OtelContext, Span, SpanContext, Tracer } from '@opentelemetry/api';
import type { Electron, Headers } from '../electron.js';
import type { MessageHeader, OutgoingRecord } from '../transport/records.js';
import { formatTraceparent, parseTraceparent, TRACEPARENT_HEADER, TRACESTATE_HEADER } from './traceparent.js';
import { otel } from './tracing-state.js';

const TRACER_NAME = '@catenae/core';

/** The span of the electron whose handler runs synchronously now (a context manager may be absent). */
let current: Span | undefined;

/** What a link's spans say about it. */
export interface TracedLink {
  readonly linkName: string;
  readonly uid: string;
  readonly consumerGroup: string | undefined;
}

/**
 * A link's spans, made only while a tracer provider is registered (`tracingState.isOn`): one
 * CONSUMER span per handled electron, child of the span its `traceparent` header names; its
 * outputs carry that span in their own `traceparent`, so the next link's span is its child. An
 * output emitted outside any span (a generator, a loop) starts a trace with a PRODUCER span.
 */
export class LinkTracing {
  readonly #link: TracedLink;
  #tracer: Tracer | undefined;

  constructor(link: TracedLink) {
    this.#link = link;
  }

  /**
   * Runs `run(handler, electron)` inside the electron's span, ended when the handler settles
   * (with the error, when it throws or rejects, which is rethrown).
   */
  invoke<H extends { readonly method: string }>(run: (handler: H, electron: Electron) => Promise<void> | undefined, handler: H, electron: Electron): Promise<void> | undefined {
    const api = otel();
    const parent = remoteParent(electron.headers) ?? api.ROOT_CONTEXT;
    const span = this.#tracerOf().startSpan(`process ${electron.previousTopic}`, { kind: api.SpanKind.CONSUMER }, parent);
    // Attributes only for spans the sampler keeps: building them is wasted on one it drops.
    if (span.isRecording()) span.setAttributes(this.#attributesOf(electron, handler.method));
    const previous = current;
    current = span;
    let pending: Promise<void> | undefined;
    try {
      pending = api.context.with(api.trace.setSpan(parent, span), run, undefined, handler, electron);
    } catch (err) {
      endFailed(span, err);
      throw err;
    } finally {
      current = previous;
    }
    if (pending === undefined) {
      span.end();
      return undefined;
    }
    return pending.then(
      () => span.end(),
      (err: unknown) => {
        endFailed(span, err);
        throw err;
      },
    );
  }

  /** Writes the emitting span into an output's headers; outside any span, a PRODUCER span starts its trace. */
  inject(record: OutgoingRecord): void {
    let spanContext = activeSpanContext();
    if (spanContext === undefined) {
      const api = otel();
      const send = this.#tracerOf().startSpan(`send ${record.topic}`, {
        kind: api.SpanKind.PRODUCER,
        attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.destination.name': record.topic, 'catenae.link': this.#link.linkName, 'catenae.uid': this.#link.uid },
      });
      spanContext = send.spanContext();
      send.end();
    }
    record.headers = withTraceHeaders(record.headers, spanContext);
  }

  /**
   * Runs an `@Rpc()` method in a SERVER span, child of the caller's span (`traceparent`), else of
   * the active context (a call by key runs inside its electron's span).
   */
  serve<T>(method: string, caller: { link: string; uid: string }, traceparent: string | Buffer | undefined, fn: () => Promise<T>): Promise<T> {
    const api = otel();
    const parent = remoteParent(traceparent === undefined ? undefined : { [TRACEPARENT_HEADER]: traceparent }) ?? api.context.active();
    const span = this.#tracerOf().startSpan(
      `${this.#link.linkName}/${method}`,
      {
        kind: api.SpanKind.SERVER,
        attributes: { 'rpc.system': 'catenae', 'rpc.service': this.#link.linkName, 'rpc.method': method, 'catenae.uid': this.#link.uid, 'catenae.caller.link': caller.link, 'catenae.caller.uid': caller.uid },
      },
      parent,
    );
    return api.context.with(api.trace.setSpan(parent, span), fn).then(
      (result) => {
        span.end();
        return result;
      },
      (err: unknown) => {
        endFailed(span, err);
        throw err;
      },
    );
  }

  #attributesOf(electron: Electron, method: string): Attributes {
    const attributes: Attributes = {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': electron.previousTopic,
      'messaging.destination.partition.id': String(electron.partition),
      'messaging.kafka.offset': electron.offset,
      'catenae.link': this.#link.linkName,
      'catenae.uid': this.#link.uid,
      'catenae.handler': method,
    };
    if (typeof electron.key === 'string') attributes['messaging.kafka.message.key'] = electron.key;
    if (this.#link.consumerGroup !== undefined) attributes['messaging.consumer.group.name'] = this.#link.consumerGroup;
    return attributes;
  }

  #tracerOf(): Tracer {
    return (this.#tracer ??= otel().trace.getTracer(TRACER_NAME));
  }
}

/** The `traceparent` of the span running now (an RPC made from a handler carries it), if any. */
export function currentTraceparent(): string | undefined {
  const spanContext = activeSpanContext();
  return spanContext === undefined ? undefined : formatTraceparent(spanContext);
}

function activeSpanContext(): SpanContext | undefined {
  const api = otel();
  const spanContext = (current ?? api.trace.getSpan(api.context.active()))?.spanContext();
  return spanContext !== undefined && api.isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** The remote span a `traceparent` header names (with its `tracestate`), as a parent context. */
function remoteParent(headers: Headers | undefined): OtelContext | undefined {
  const value = headers?.[TRACEPARENT_HEADER];
  if (value === undefined) return undefined;
  const parsed = parseTraceparent(typeof value === 'string' ? value : value.toString('latin1'));
  if (parsed === undefined) return undefined;
  const api = otel();
  const state = headers![TRACESTATE_HEADER];
  const traceState = state === undefined ? undefined : api.createTraceState(typeof state === 'string' ? state : state.toString('latin1'));
  return api.trace.setSpanContext(api.ROOT_CONTEXT, { ...parsed, isRemote: true, ...(traceState === undefined ? {} : { traceState }) });
}

/**
 * The headers with this span's `traceparent` (and `tracestate`), replacing any an input carried
 * (a handler re-emitting an input's headers). Never changes the array given: codecs share theirs.
 */
function withTraceHeaders(headers: MessageHeader[] | undefined, spanContext: SpanContext): MessageHeader[] {
  const out: MessageHeader[] = [];
  for (const header of headers ?? []) {
    if (TRACEPARENT_HEADER in header || TRACESTATE_HEADER in header) continue;
    out.push(header);
  }
  out.push({ [TRACEPARENT_HEADER]: formatTraceparent(spanContext) });
  const state = spanContext.traceState?.serialize();
  if (state) out.push({ [TRACESTATE_HEADER]: state });
  return out;
}

function endFailed(span: Span, err: unknown): void {
  const api = otel();
  if (err instanceof Error) span.recordException(err);
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  span.end();
}
