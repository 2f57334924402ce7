import type { HrTime } from '@opentelemetry/api';
import type { EventType } from '../translate/analytics-record.js';
import { buildRecord, isProblem } from '../translate/build-record.js';
import { pickFields } from '../translate/pick-fields.js';
import { isPlainObject, type FieldProblem } from '../translate/check-fields.js';
import { toMessage, type Message } from '../translate/message.js';
import type { RecordOrigin } from '../translate/record-origin.js';
import { toIsoTimestamp } from '../translate/timestamp.js';
import { hrTimeToMillis } from './otel-compat.js';
import { readAttributes } from './read-attributes.js';

/** Body keys of a Segment-shaped log record body that are fields (the rest are ignored). */
const BODY_FIELDS = ['userId', 'anonymousId', 'event', 'name', 'category', 'groupId', 'previousId', 'properties', 'traits', 'context', 'integrations'] as const;

/**
 * The parts of a log record this package reads: an OTel SDK `ReadableLogRecord`, or a record the
 * bridge decoded from OTLP.
 */
export interface LogRecordLike {
  readonly hrTime: HrTime;
  readonly body?: unknown;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly spanContext?: { readonly traceId: string; readonly spanId: string };
  /** The emitting resource (an SDK record's `resource`); the exporter reads its identity once per resource. */
  readonly resource?: unknown;
}

/**
 * Turns an `analytics.*` log record into a message, from what the record says now: a
 * Segment-shaped body map (`{ userId, event, properties, … }`), with the attribute convention
 * applied over it (attributes win; objects merge key by key), its time and span context. A user's
 * processors may have replaced or edited the body, or added attributes: what they made is sent.
 * `origin` gives `context.library` and `context.otel.resource`.
 */
export function readLogRecord(record: LogRecordLike, type: EventType, writeKeyJson: string, origin?: RecordOrigin): Message | FieldProblem {
  const body = isPlainObject(record.body) ? record.body : undefined;
  const base: Record<string, unknown> = {};
  if (body !== undefined) for (const key of BODY_FIELDS) if (body[key] !== undefined) base[key] = body[key];
  const found = readAttributes(record.attributes, base);
  if ('code' in found) return found;
  found.messageId ??= body?.messageId;
  found.timestamp ??= body?.timestamp;
  // The record's own time may be anything an app passed (an invalid Date, nanoseconds as
  // milliseconds): checked like a timestamp field, never handed to a Date method that throws.
  const timestamp = toIsoTimestamp(found.timestamp === undefined ? hrTimeToMillis(record.hrTime) : found.timestamp);
  if (timestamp === undefined) return { code: 'MR_ERR_INVALID_RECORD', field: 'timestamp', message: 'timestamp is not a valid time' };
  const picked = pickFields(found.fields);
  if (isProblem(picked)) return picked;
  const built = buildRecord({
    type,
    picked,
    messageId: found.messageId as string | undefined,
    timestamp,
    traceId: record.spanContext?.traceId,
    spanId: record.spanContext?.spanId,
    origin,
  });
  return isProblem(built) ? built : toMessage(built, writeKeyJson);
}
