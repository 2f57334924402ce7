import type { Logger, LogRecord } from '@opentelemetry/api-logs';
import type { MetaRouterLogRecordExporter } from './log-record-exporter.js';
import { preparedOf } from './prepared-body.js';

/**
 * The `Analytics` instance's private logs pipeline: an OpenTelemetry Logs API `Logger` (never
 * registered globally) that hands each record straight to the exporter, whose own queue batches.
 * The SDK's general machinery (processors, limits, resource detection, a second batching stage)
 * has nothing to do for records only our exporter reads, so it is not in the way.
 */
class BuiltinLogger implements Logger {
  constructor(private readonly exporter: MetaRouterLogRecordExporter) {}

  /**
   * Only the facade's emitter holds this Logger, and its records always carry their prepared
   * message: nothing else of a record is read.
   */
  emit(record: LogRecord): void {
    const prepared = preparedOf(record.body);
    if (prepared !== undefined) this.exporter.acceptPrepared(prepared);
  }

  enabled(): boolean {
    return true;
  }
}

/** The Logger of the built-in pipeline, feeding the given exporter. */
export function createBuiltinLogger(exporter: MetaRouterLogRecordExporter): Logger {
  return new BuiltinLogger(exporter);
}
