import type { Logger } from '@opentelemetry/api-logs';
import { LoggerProvider, type LogRecordProcessor, type ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { LIBRARY } from '../version.js';
import type { MetaRouterLogRecordExporter } from './log-record-exporter.js';

/**
 * Hands each record straight to the exporter, whose own queue batches: a second batching stage
 * (BatchLogRecordProcessor) would only add a timer and a copy.
 */
class DirectProcessor implements LogRecordProcessor {
  constructor(private readonly exporter: MetaRouterLogRecordExporter) {}

  onEmit(record: ReadWriteLogRecord): void {
    this.exporter.accept(record);
  }

  forceFlush(): Promise<void> {
    return this.exporter.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }
}

/**
 * The `Analytics` instance's private logs pipeline: a LoggerProvider of its own (never registered
 * globally) whose only processor feeds the given exporter.
 */
export function createBuiltinLogger(exporter: MetaRouterLogRecordExporter): Logger {
  return new LoggerProvider({ processors: [new DirectProcessor(exporter)] }).getLogger(LIBRARY.name, LIBRARY.version);
}
