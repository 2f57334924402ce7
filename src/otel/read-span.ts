import type { HrTime, SpanContext } from '@opentelemetry/api';
import { buildRecord, isProblem } from '../translate/build-record.js';
import { pickFields } from '../translate/pick-fields.js';
import type { FieldProblem } from '../translate/check-fields.js';
import { toMessage, type Message } from '../translate/message.js';
import type { RecordOrigin } from '../translate/record-origin.js';
import { toIsoTimestamp } from '../translate/timestamp.js';
import { ATTRIBUTES, eventTypeOf, MARK_ATTRIBUTE, MARK_VALUE } from './convention.js';
import { hrTimeToMillis } from './otel-compat.js';
import { readAttributes } from './read-attributes.js';
import { sha256Hex } from './sha256.js';

/** The parts of a span event this package reads (the same in OpenTelemetry JS 2.x and 3.x). */
export interface SpanEventLike {
  readonly name: string;
  readonly time: HrTime;
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** The parts of a finished span this package reads (the same in OpenTelemetry JS 2.x and 3.x). */
export interface SpanLike {
  spanContext(): SpanContext;
  readonly events: readonly SpanEventLike[];
  /** The emitting resource (an SDK span's `resource`); the exporter reads its identity once per resource. */
  readonly resource?: unknown;
  /** When the span ended. */
  readonly endTime?: HrTime;
}

/** What reading one span event gave: a message, or why it is not one. */
export type SpanEventOutcome =
  | { readonly message: Message }
  /** `index` is the event's place in the span; `messageId` the one it carried or would have had. */
  | { readonly problem: FieldProblem; readonly eventName: string; readonly index: number; readonly messageId: string };

/**
 * A messageId for a span event that carries none, derived from where and when it was recorded, so
 * that exporting the same span twice (a retry, a Collector re-send) yields the same id.
 */
function spanEventMessageId(traceId: string, spanId: string, index: number, time: HrTime): string {
  return sha256Hex(`${traceId}/${spanId}/${index}/${time[0]}.${time[1]}`).slice(0, 32);
}

/**
 * Reads the `analytics.*` span events of a span by the attribute convention, skipping the marks
 * the facade leaves (their messages travel as log records). `origin` gives `context.library` and
 * `context.otel.resource`.
 */
export function readSpanEvents(span: SpanLike, writeKeyJson: string, origin?: RecordOrigin): SpanEventOutcome[] {
  const outcomes: SpanEventOutcome[] = [];
  const { traceId, spanId } = span.spanContext();
  span.events.forEach((event, index) => {
    const type = eventTypeOf(event.name);
    const attributes = event.attributes ?? {};
    if (type === undefined || attributes[MARK_ATTRIBUTE] === MARK_VALUE) return;
    const given = attributes[ATTRIBUTES.messageId];
    const messageId = typeof given === 'string' ? given : spanEventMessageId(traceId, spanId, index, event.time);
    const fail = (problem: FieldProblem) => void outcomes.push({ problem, eventName: event.name, index, messageId });
    const found = readAttributes(attributes);
    if ('code' in found) return fail(found);
    // The event's own time may be anything an app passed to addEvent: checked, never thrown on.
    const timestamp = toIsoTimestamp(found.timestamp === undefined ? hrTimeToMillis(event.time) : found.timestamp);
    if (timestamp === undefined) return fail({ code: 'MR_ERR_INVALID_RECORD', field: 'timestamp', message: 'timestamp is not a valid time' });
    const picked = pickFields(found.fields);
    if (isProblem(picked)) return fail(picked);
    const built = buildRecord({ type, picked, messageId: (found.messageId as string | undefined) ?? messageId, timestamp, traceId, spanId, origin });
    if (isProblem(built)) return fail(built);
    outcomes.push({ message: toMessage(built, writeKeyJson) });
  });
  return outcomes;
}
