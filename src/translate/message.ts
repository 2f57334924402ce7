import { Buffer } from 'node:buffer';
import type { AnalyticsRecord } from './analytics-record.js';
import { OWN_ORIGIN, type RecordOrigin } from './record-origin.js';

/** A Segment message, serialized once: what the delivery layer queues and batches. */
export interface Message {
  readonly messageId: string;
  /** The message's JSON text, as it goes into the batch. */
  readonly json: string;
  /** UTF-8 byte length of `json`. */
  readonly bytes: number;
  /** Who made the record and where, when the message was built here: shaping keeps it on what a stage returns. */
  readonly origin?: RecordOrigin | undefined;
}

/** Text JSON.stringify would leave as it is: no quote, backslash, control character or surrogate. */
const NEEDS_NO_ESCAPE = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** Keys of `context` that this package owns; a user's values for them are not sent. */
export const RESERVED_CONTEXT_KEYS: ReadonlySet<string> = new Set(['library', 'otel']);

/** The inside of a JSON object text (without its braces), with a separator on the given side. */
function inner(objectJson: string, separator: 'before' | 'after'): string {
  if (objectJson.length <= 2) return '';
  const body = objectJson.slice(1, -1);
  return separator === 'before' ? `,${body}` : `${body},`;
}

/** The `otel` member of `context`: the span's ids and the resource identity, those there are. */
function otelJson(record: AnalyticsRecord, origin: RecordOrigin): string {
  const resource = origin.resourceJson;
  if (record.traceId === undefined) return resource === undefined ? '' : `,"otel":{"resource":${resource}}`;
  const ids = `"traceId":"${record.traceId}","spanId":"${record.spanId}"`;
  return resource === undefined ? `,"otel":{${ids}}` : `,"otel":{${ids},"resource":${resource}}`;
}

/**
 * Builds the wire form of one message: the record's fields, then `messageId` (kept, or a new
 * UUID), `timestamp`, `context` with `library` and `otel` (trace correlation, resource identity)
 * first, and `writeKey`. `writeKeyJson` is the writeKey already as JSON text. Pure: no I/O, no clock.
 */
export function toMessage(record: AnalyticsRecord, writeKeyJson: string): Message {
  const messageId = record.messageId ?? crypto.randomUUID();
  const origin = record.origin ?? OWN_ORIGIN;
  const otel = otelJson(record, origin);
  const head = `{"type":"${record.type}",`;
  // A UUID, nearly always: quoting it costs a fifth of calling JSON.stringify on it.
  const messageIdJson = NEEDS_NO_ESCAPE.test(messageId) ? `"${messageId}"` : JSON.stringify(messageId);
  const middle = `"messageId":${messageIdJson},"timestamp":"${record.timestamp}","context":{"library":${origin.libraryJson}${otel}`;
  const tail = `},"writeKey":${writeKeyJson}}`;
  const json = head + inner(record.fields, 'after') + middle + inner(record.context, 'before') + tail;
  // One measure of the whole text: a call per part costs more than the bytes it scans.
  return { messageId, json, bytes: Buffer.byteLength(json), origin };
}
