import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { Logger, LogRecord } from '@opentelemetry/api-logs';
import type { MetaRouterLogRecordExporter } from './log-record-exporter.js';
import { toHrTime } from './otel-compat.js';
import { preparedOf } from './prepared-body.js';

const NO_ATTRIBUTES = Object.freeze({});

/**
 * The `Analytics` instance's private logs pipeline: an OpenTelemetry Logs API `Logger` (never
 * registered globally) that hands each record straight to the exporter, whose own queue batches.
 * The SDK's general machinery (processors, limits, resource detection, a second batching stage)
 * has nothing to do for records only our exporter reads, so it is not in the way.
 */
class BuiltinLogger implements Logger {
  constructor(private readonly exporter: MetaRouterLogRecordExporter) {}

  emit(record: LogRecord): void {
    const prepared = preparedOf(record.body);
    // The facade's records carry their message already: nothing else of the record is read.
    if (prepared !== undefined) return this.exporter.acceptPrepared(prepared);
    const spanContext = trace.getSpanContext(record.context ?? context.active());
    this.exporter.accept({
      eventName: record.eventName,
      hrTime: toHrTime(record.timestamp),
      body: record.body,
      attributes: record.attributes ?? NO_ATTRIBUTES,
      spanContext: spanContext !== undefined && isSpanContextValid(spanContext) ? spanContext : undefined,
    });
  }

  enabled(): boolean {
    return true;
  }
}

/** The Logger of the built-in pipeline, feeding the given exporter. */
export function createBuiltinLogger(exporter: MetaRouterLogRecordExporter): Logger {
  return new BuiltinLogger(exporter);
}
