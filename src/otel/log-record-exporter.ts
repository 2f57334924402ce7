import type { HrTime } from '@opentelemetry/api';
import { ATTRIBUTES, logEventTypeOf } from './convention.js';
import { MetaRouterExporterBase } from './exporter-base.js';
import type { Intake } from './intake.js';
import { readLogRecord, type LogRecordLike } from './read-log-record.js';

/** A log record as an exporter receives it: the SDK's `ReadableLogRecord` fits this shape. */
export type ExportedLogRecord = LogRecordLike & { readonly eventName?: string | undefined; readonly hrTimeObserved?: HrTime };

/** The messageId a log record carries (body, else attribute), to name it in a report. */
function messageIdOf(record: ExportedLogRecord): string | undefined {
  const body = record.body as Record<string, unknown> | undefined;
  const id = typeof body === 'object' && body !== null ? body.messageId : undefined;
  const found = id ?? record.attributes[ATTRIBUTES.messageId];
  return typeof found === 'string' ? found : undefined;
}

/** Reads one log record into `intake`: an `analytics.*` record's message, or its problem; other records are ignored. */
export function takeLogRecord(record: ExportedLogRecord, intake: Intake): void {
  const type = logEventTypeOf(record.eventName, record.attributes);
  if (type === undefined) return;
  const read = readLogRecord(record, type, intake.writeKeyJson, intake.origins.of(record.resource));
  if (!('code' in read)) return intake.offer(read);
  const span = record.spanContext === undefined ? '' : ` of span ${record.spanContext.spanId} (trace ${record.spanContext.traceId})`;
  intake.reject(read, `analytics.${type} log record${span}`, messageIdOf(record));
}

/**
 * An OpenTelemetry `LogRecordExporter` that ships `analytics.*` log records to MetaRouter. Other
 * log records are ignored, so it can sit in a logs pipeline that carries everything.
 */
export class MetaRouterLogRecordExporter extends MetaRouterExporterBase<ExportedLogRecord> {
  protected readyAt(record: ExportedLogRecord): HrTime | undefined {
    return record.hrTimeObserved;
  }

  protected take(record: ExportedLogRecord): void {
    takeLogRecord(record, this.intake);
  }
}
