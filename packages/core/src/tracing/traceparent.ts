// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header is
// `<version>-<trace id>-<parent span id>-<flags>`, 2, 32, 16 and 2 lowercase hex digits; version 00.
// Catenae writes and reads it itself, whatever propagator the process registered, so a trace
// crosses links even where only a tracer provider was set up.

/** The header carrying the trace and the span an electron was emitted in. */
export const TRACEPARENT_HEADER = 'traceparent';
/** The header carrying vendors' trace state, passed along unchanged. */
export const TRACESTATE_HEADER = 'tracestate';

/** What a `traceparent` names. */
export interface TraceParent {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * Reads a `traceparent` value; undefined for a malformed one, version ff, or all-zero ids (the
 * specification says to ignore those). Versions above 00 are read as 00, as the spec asks.
 */
export function parseTraceparent(value: string): TraceParent | undefined {
  const match = TRACEPARENT.exec(value.trim());
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId!) || /^0+$/.test(spanId!)) return undefined;
  return { traceId: traceId!, spanId: spanId!, traceFlags: parseInt(flags!, 16) };
}

/** Writes a `traceparent` value (version 00). */
export function formatTraceparent(parent: TraceParent): string {
  return `00-${parent.traceId}-${parent.spanId}-${(parent.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}
