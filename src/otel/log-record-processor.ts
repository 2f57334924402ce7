import type { Context } from '@opentelemetry/api';
import type { ExporterOptions } from '../config/exporter-options.js';
import type { DeliveryCounters } from '../delivery/delivery.js';
import { ErrorChannel } from '../errors/error-channel.js';
import { MetaRouterLogRecordExporter, type ExportedLogRecord } from './log-record-exporter.js';

/**
 * An OpenTelemetry `LogRecordProcessor` that ships `analytics.*` log records to MetaRouter, taking
 * each in `onEmit`, in the call that emitted it: with `storage`, its message is on disk before the
 * call returns, so a killed process loses nothing a `BatchLogRecordProcessor` would still hold in
 * memory. It reads the record as it is at `onEmit` (what processors registered before it made of
 * it); other log records are ignored. Takes the options of `MetaRouterLogRecordExporter`, whose
 * delivery it uses; its own queue batches.
 */
export class MetaRouterLogRecordProcessor extends ErrorChannel {
  private readonly exporter: MetaRouterLogRecordExporter;

  constructor(options?: ExporterOptions) {
    super();
    this.exporter = new MetaRouterLogRecordExporter(options);
    this.exporter.on('error', (error) => this.report(error));
  }

  /** Running totals of the delivery queue. */
  get counters(): Readonly<DeliveryCounters> {
    return this.exporter.counters;
  }

  /**
   * Queues the record's message if it is an analytics record (written to the spool first, with
   * `storage`). Never throws: what cannot be read or queued is reported on the `error` channel.
   */
  onEmit(logRecord: ExportedLogRecord, _context?: Context): void {
    this.exporter.accept(logRecord);
  }

  /** Resolves once everything emitted so far is delivered or reported, including requests in flight. */
  forceFlush(): Promise<void> {
    return this.exporter.forceFlush();
  }

  /** Flushes, then stops. Past `timeoutMillis` what is left is reported undelivered. Idempotent. */
  shutdown(timeoutMillis?: number): Promise<void> {
    return this.exporter.shutdown(timeoutMillis);
  }
}
