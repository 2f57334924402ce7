import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { eventTypeOf } from './convention.js';
import { MetaRouterExporterBase } from './exporter-base.js';
import { readLogRecord } from './read-log-record.js';

/**
 * An OpenTelemetry `LogRecordExporter` that ships `analytics.*` log records to MetaRouter. Other
 * log records are ignored, so it can sit in a logs pipeline that carries everything.
 */
export class MetaRouterLogRecordExporter extends MetaRouterExporterBase<ReadableLogRecord> implements LogRecordExporter {
  /** @internal The built-in pipeline's path: one record, no callback. */
  accept(record: ReadableLogRecord): void {
    this.take(record);
  }

  protected take(record: ReadableLogRecord): number {
    const type = eventTypeOf(record.eventName);
    if (type === undefined) return 0;
    const read = readLogRecord(record, type, this.writeKeyJson);
    return 'code' in read ? this.reject(read, `${record.eventName} log record`) : this.enqueue(read);
  }
}
