import { createHash } from 'node:crypto';
import type { HrTime } from '@opentelemetry/api';
import { isPlainObject } from '../../translate/check-fields.js';
import { ATTRIBUTES, eventTypeOf, EVENT_NAME_ATTRIBUTE } from '../../otel/convention.js';
import { readLogRecord } from '../../otel/read-log-record.js';
import { DEFAULTS } from '../../config/defaults.js';
import type { RecordOrigin } from '../../translate/record-origin.js';
import { attributeLimitProblem } from './attribute-limits.js';
import { hadInvalidUtf8 } from './invalid-utf8.js';
import { OtlpOrigins } from './read-otlp-origin.js';
import { checkedMessage, emptyResult, noteProblem, type OtlpReadResult } from './read-otlp-result.js';
import { findKeyValue, listOf, nanosToHrTime, objectOf, readAnyValue, readId, readKeyValues, readNanos, stringOf } from './read-otlp-value.js';

/** The attribute that names a log record's event where `event_name` is not set (older SDKs). */

/**
 * A messageId for an OTLP log record that carries none, derived from everything that makes the
 * record what it is, so that a Collector re-sending the same request yields the same ids. Its time
 * is `time_unix_nano`, else `observed_time_unix_nano`; a record with neither counts its position in
 * the request instead, so that two identical such records stay two messages.
 */
function logRecordMessageId(traceId: string, spanId: string, nanos: bigint, position: string, attributes: object, body: unknown): string {
  return createHash('sha256')
    .update(`${traceId}/${spanId}/${nanos === 0n ? `at ${position}` : nanos}/`)
    .update(JSON.stringify(attributes))
    .update('/')
    .update(JSON.stringify(body ?? null))
    .digest('hex')
    .slice(0, 32);
}

function eventNameOf(record: Record<string, unknown>): string {
  const name = stringOf(record.eventName, 'eventName');
  if (name !== '') return name;
  const attribute = findKeyValue(record.attributes, EVENT_NAME_ATTRIBUTE);
  return typeof attribute === 'string' ? attribute : '';
}

function readOne(item: unknown, position: string, result: OtlpReadResult, writeKeyJson: string, receivedAt: HrTime, invalidUtf8: boolean, origin: () => RecordOrigin): void {
  const record = objectOf(item, 'logRecord');
  const eventName = eventNameOf(record);
  const type = eventTypeOf(eventName);
  // Not ours: other log records pass through the bridge unread, as they do our exporter.
  if (type === undefined) return;
  const overLimit = attributeLimitProblem(record.attributes);
  if (overLimit !== undefined) {
    result.rejected++;
    return noteProblem(result, `${eventName} log record`, overLimit);
  }
  const attributes = readKeyValues(record.attributes, false);
  const body = record.body == null ? undefined : (readAnyValue(record.body) ?? undefined);
  const traceId = readId(record.traceId, 16, 'traceId');
  const spanId = readId(record.spanId, 8, 'spanId');
  const nanos = readNanos(record.timeUnixNano, 'timeUnixNano') || readNanos(record.observedTimeUnixNano, 'observedTimeUnixNano');
  const bodyMessageId = isPlainObject(body) ? body.messageId : undefined;
  if ((bodyMessageId ?? attributes[ATTRIBUTES.messageId]) === undefined) {
    // readLogRecord keeps a messageId it finds in the attributes: the derived one goes there.
    attributes[ATTRIBUTES.messageId] = logRecordMessageId(traceId ?? '', spanId ?? '', nanos, position, attributes, body);
  }
  const read = checkedMessage(
    readLogRecord(
      {
        hrTime: nanos === 0n ? receivedAt : nanosToHrTime(nanos),
        body,
        attributes,
        spanContext: traceId !== undefined && spanId !== undefined ? { traceId, spanId } : undefined,
      },
      type,
      writeKeyJson,
      origin(),
    ),
    invalidUtf8,
  );
  if ('code' in read) {
    result.rejected++;
    noteProblem(result, `${eventName} log record`, read);
  } else {
    result.messages.push(read);
  }
}

/**
 * Reads the analytics log records (event name `analytics.*`, from `event_name` or else the
 * `event.name` attribute) of a decoded OTLP `ExportLogsServiceRequest` (protobuf-decoded or OTLP
 * JSON, which share field names) into messages, through the same reader as
 * `MetaRouterLogRecordExporter`. Each message names its sender in `context.library` and carries
 * its resource's identity (`context.otel.resource`, the attributes `resourceKeys` names). Throws
 * `OtlpShapeError` when the request cannot be read.
 *
 * @param receivedAt - the time of a record that carries none.
 */
export function readOtlpLogs(request: unknown, writeKeyJson: string, receivedAt: HrTime, resourceKeys: readonly string[] = DEFAULTS.resourceAttributeKeys): OtlpReadResult {
  const result = emptyResult();
  const invalidUtf8 = hadInvalidUtf8(request);
  listOf(objectOf(request, 'request').resourceLogs, 'resourceLogs').forEach((item, r) => {
    const resourceLogs = objectOf(item, 'resourceLogs');
    const origins = new OtlpOrigins(resourceLogs, resourceKeys);
    listOf(resourceLogs.scopeLogs, 'scopeLogs').forEach((entry, s) => {
      const scopeLogs = objectOf(entry, 'scopeLogs');
      const origin = () => origins.of(scopeLogs);
      listOf(scopeLogs.logRecords, 'logRecords').forEach((record, i) => readOne(record, `${r}/${s}/${i}`, result, writeKeyJson, receivedAt, invalidUtf8, origin));
    });
  });
  return result;
}
