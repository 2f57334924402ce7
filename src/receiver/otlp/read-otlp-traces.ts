import type { HrTime, SpanContext } from '@opentelemetry/api';
import { eventTypeOf } from '../../otel/convention.js';
import { DEFAULTS } from '../../config/defaults.js';
import type { RecordOrigin } from '../../translate/record-origin.js';
import { attributeLimitProblem } from './attribute-limits.js';
import { OtlpOrigins } from './read-otlp-origin.js';
import { hadInvalidUtf8 } from './invalid-utf8.js';
import { checkedMessage, emptyResult, noteProblem, type OtlpReadResult } from './read-otlp-result.js';
import { listOf, nanosToHrTime, objectOf, readId, readKeyValues, readNanos, stringOf } from './read-otlp-value.js';
import { readSpanEvents, type SpanEventLike } from '../../otel/read-span.js';

const NO_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The span's events as `readSpanEvents` takes them. Every event keeps its place (the derived
 * messageId counts it), but only analytics events have their attributes read; one over the
 * attribute limits is noted in `result` and left unnamed, so that the reader passes over it.
 * Returns whether any was. An event without a time takes `timeless`.
 */
function spanEvents(events: readonly unknown[], result: OtlpReadResult, timeless: HrTime): { events: SpanEventLike[]; overLimit: boolean } {
  let overLimit = false;
  const read = events.map((item) => {
    const event = objectOf(item, 'event');
    const name = stringOf(event.name, 'event.name');
    const nanos = readNanos(event.timeUnixNano, 'event.timeUnixNano');
    const time = nanos === 0n ? timeless : nanosToHrTime(nanos);
    if (eventTypeOf(name) === undefined) return { name, time, attributes: NO_ATTRIBUTES };
    const problem = attributeLimitProblem(event.attributes);
    if (problem === undefined) return { name, time, attributes: readKeyValues(event.attributes, false) };
    overLimit = true;
    noteProblem(result, `${name} span event`, problem);
    return { name: '', time, attributes: NO_ATTRIBUTES };
  });
  return { events: read, overLimit };
}

function readOne(item: unknown, result: OtlpReadResult, writeKeyJson: string, receivedAt: HrTime, invalidUtf8: boolean, origin: () => RecordOrigin): void {
  const span = objectOf(item, 'span');
  const events = listOf(span.events, 'events');
  // Most spans hold no analytics event: they are passed over without reading anything else.
  if (!events.some((event) => typeof event === 'object' && event !== null && eventTypeOf((event as Record<string, unknown>).name as string) !== undefined)) return;
  const traceId = readId(span.traceId, 16, 'traceId');
  const spanId = readId(span.spanId, 8, 'spanId');
  if (traceId === undefined || spanId === undefined) {
    result.rejected++;
    noteProblem(result, 'span', { code: 'MR_ERR_INVALID_RECORD', field: 'spanId', message: 'a span with analytics events has no valid trace and span id' });
    return;
  }
  const context: SpanContext = { traceId, spanId, traceFlags: (typeof span.flags === 'number' ? span.flags : 0) & 0xff };
  // An event without a time takes its span's start (stable when the span is re-sent, so is the derived messageId).
  const start = readNanos(span.startTimeUnixNano, 'startTimeUnixNano');
  const read = spanEvents(events, result, start === 0n ? receivedAt : nanosToHrTime(start));
  let rejected = read.overLimit;
  for (const outcome of readSpanEvents({ spanContext: () => context, events: read.events }, writeKeyJson, origin())) {
    const read = 'problem' in outcome ? outcome.problem : checkedMessage(outcome.message, invalidUtf8);
    if ('code' in read) {
      rejected = true;
      noteProblem(result, `${'eventName' in outcome ? outcome.eventName : 'analytics'} span event`, read);
    } else {
      result.messages.push(read);
    }
  }
  if (rejected) result.rejected++;
}

/**
 * Reads the analytics span events (named `analytics.*`, by the attribute convention) of a decoded
 * OTLP `ExportTraceServiceRequest` (protobuf-decoded or OTLP JSON) into messages, through the same
 * reader as `MetaRouterSpanExporter`: a span event without `analytics.message_id` gets the same
 * derived messageId however often the span is sent. `rejected` counts spans with at least one
 * event that could not be read; their other events are still taken. Each message names its sender
 * and resource as `readOtlpLogs` does. Throws `OtlpShapeError` when the request cannot be read.
 *
 * @param receivedAt - the time of an event that carries none, on a span that carries none either.
 */
export function readOtlpTraces(request: unknown, writeKeyJson: string, receivedAt: HrTime, resourceKeys: readonly string[] = DEFAULTS.resourceAttributeKeys): OtlpReadResult {
  const result = emptyResult();
  const invalidUtf8 = hadInvalidUtf8(request);
  for (const item of listOf(objectOf(request, 'request').resourceSpans, 'resourceSpans')) {
    const resourceSpans = objectOf(item, 'resourceSpans');
    const origins = new OtlpOrigins(resourceSpans, resourceKeys);
    for (const entry of listOf(resourceSpans.scopeSpans, 'scopeSpans')) {
      const scopeSpans = objectOf(entry, 'scopeSpans');
      const origin = () => origins.of(scopeSpans);
      for (const span of listOf(scopeSpans.spans, 'spans')) readOne(span, result, writeKeyJson, receivedAt, invalidUtf8, origin);
    }
  }
  return result;
}
