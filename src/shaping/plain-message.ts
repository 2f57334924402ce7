import { LIMITS } from '../config/defaults.js';
import { readThrown } from '../errors/metarouter-error.js';
import type { AnalyticsRecord, EventType, PlainParts } from '../translate/analytics-record.js';
import { OWN_ORIGIN, type RecordOrigin } from '../translate/record-origin.js';
import { buildRecord, isProblem } from '../translate/build-record.js';
import { isPlainObject, type FieldProblem } from '../translate/check-fields.js';
import { toMessage, type Message } from '../translate/message.js';
import { pickFields } from '../translate/pick-fields.js';
import { toIsoTimestamp } from '../translate/timestamp.js';
import type { SegmentMessage } from './segment-message.js';

const WRITE_KEY_KEY = ',"writeKey":';

/** What a message keeps whatever a stage returns: the library's own keys. */
export interface Identity {
  readonly type: EventType;
  readonly messageId: string;
  readonly timestamp: string;
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  /** `context.library` and `context.otel.resource`; this package with no resource when absent. */
  readonly origin?: RecordOrigin | undefined;
}

/** A message rebuilt from a stage's result, with the record it was built from. */
export interface RebuiltMessage extends Message {
  readonly record: AnalyticsRecord;
}

/**
 * A fresh plain copy of a serialized message, without its writeKey, and the keys it must keep.
 * `toMessage` always ends a message with `,"writeKey":…}`, written with the same `writeKeyJson` as
 * every message of one shaper: it is cut from the text rather than deleted from the object (which
 * would leave V8 a slow dictionary-mode object to serialize again).
 */
export function toPlain(message: Message, writeKeyJson: string): { plain: SegmentMessage; identity: Identity } {
  const cut = message.json.length - writeKeyJson.length - WRITE_KEY_KEY.length - 1;
  const plain = JSON.parse(`${message.json.slice(0, cut)}}`) as SegmentMessage;
  const otel = plain.context.otel as { traceId: string; spanId: string } | undefined;
  return { plain, identity: { type: plain.type, messageId: plain.messageId, timestamp: plain.timestamp, traceId: otel?.traceId, spanId: otel?.spanId, origin: message.origin } };
}

/**
 * The same as {@link toPlain}, built from the plain copies the record's text was serialized from
 * (no parse): the keys in the text's order, and the library's own keys as `toMessage` writes them.
 */
export function plainOf(record: AnalyticsRecord, plain: PlainParts, messageId: string): { plain: SegmentMessage; identity: Identity } {
  const { type, timestamp, traceId, spanId } = record;
  const origin = record.origin ?? OWN_ORIGIN;
  const library = { ...origin.library };
  // Parsed, not spread: a stage may edit the copy it is given, arrays included.
  const resource: unknown = origin.resourceJson === undefined ? undefined : JSON.parse(origin.resourceJson);
  const ids = traceId === undefined ? undefined : { traceId, spanId };
  const otel = resource === undefined ? ids : { ...ids, resource };
  const context = otel === undefined ? { library, ...plain.context } : { library, otel, ...plain.context };
  return { plain: { type, ...plain.fields, messageId, timestamp, context } as SegmentMessage, identity: { type, messageId, timestamp, traceId, spanId, origin } };
}

/**
 * Checks what a stage returned as the facade checks a call (Segment Spec rules, JSON, 32 KB) and
 * serializes it once, keeping the library's own keys from `identity`. Returns the problem instead
 * when it is not a valid message; never throws.
 */
export function fromPlain(value: unknown, identity: Identity, writeKeyJson: string): RebuiltMessage | FieldProblem {
  if (!isPlainObject(value)) return { code: 'MR_ERR_INVALID_FIELD', field: 'message', message: 'the result is not a plain message object' };
  const picked = pickFields(value);
  if (isProblem(picked)) return picked;
  let timestamp: string | undefined = identity.timestamp;
  try {
    const given = value.timestamp;
    // Most stages leave the time as it was: that string is already checked and normalized.
    if (given !== undefined && given !== identity.timestamp) timestamp = toIsoTimestamp(given);
  } catch (error) {
    const { text, cause } = readThrown(error);
    return { code: 'MR_ERR_NOT_SERIALIZABLE', field: 'timestamp', message: `timestamp could not be read: ${text}`, cause };
  }
  if (timestamp === undefined) return { code: 'MR_ERR_INVALID_FIELD', field: 'timestamp', message: 'timestamp must be a valid Date or ISO 8601 string' };
  const record = buildRecord({ type: identity.type, picked, messageId: identity.messageId, timestamp, traceId: identity.traceId, spanId: identity.spanId, origin: identity.origin });
  if (isProblem(record)) return record;
  const message = toMessage(record, writeKeyJson);
  if (message.bytes > LIMITS.maxMessageBytes) {
    return { code: 'MR_ERR_MESSAGE_TOO_LARGE', field: 'message', message: `the result is ${message.bytes} bytes of JSON, over the ${LIMITS.maxMessageBytes}-byte limit` };
  }
  return { messageId: message.messageId, json: message.json, bytes: message.bytes, record };
}
