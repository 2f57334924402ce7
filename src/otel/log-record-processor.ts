import type { Context } from '@opentelemetry/api';
import { DEFAULTS } from '../config/defaults.js';
import type { ExporterOptions } from '../config/exporter-options.js';
import type { DeliveryCounters } from '../delivery/delivery.js';
import { ErrorChannel } from '../errors/error-channel.js';
import { Intake } from './intake.js';
import { takeLogRecord, type ExportedLogRecord } from './log-record-exporter.js';

/**
 * An OpenTelemetry `LogRecordProcessor` that ships `analytics.*` log records to MetaRouter, taking
 * each in `onEmit`, in the call that emitted it: with `storage`, its message is on disk before the
 * call returns, so a killed process loses nothing a `BatchLogRecordProcessor` would still hold in
 * memory. It reads the record as it is at `onEmit` (what processors registered before it made of
 * it); other log records are ignored. Takes the options of `MetaRouterLogRecordExporter` and
 * reads records as it does, into a pipeline of its own, whose queue batches.
 */
export class MetaRouterLogRecordProcessor extends ErrorChannel {
  private readonly intake: Intake;
  private readonly takeOne = (record: ExportedLogRecord) => takeLogRecord(record, this.intake);
  private shutdownPromise: Promise<void> | undefined;

  constructor(options?: ExporterOptions) {
    super();
    this.intake = new Intake(options, (error) => this.report(error));
  }

  /** Running totals of the delivery queue. */
  get counters(): Readonly<DeliveryCounters> {
    return this.intake.pipeline.counters;
  }

  /**
   * Queues the record's message if it is an analytics record (written to the spool first, with
   * `storage`). Never throws: what cannot be read or queued is reported on the `error` channel.
   */
  onEmit(logRecord: ExportedLogRecord, _context?: Context): void {
    this.intake.accept(logRecord, this.takeOne);
  }

  /** Resolves once everything emitted so far is delivered or reported, including requests in flight. */
  forceFlush(): Promise<void> {
    return this.intake.pipeline.flush();
  }

  /** Flushes, then stops. Past `timeoutMillis` what is left is reported undelivered. Idempotent. */
  shutdown(timeoutMillis: number = DEFAULTS.closeTimeout): Promise<void> {
    this.shutdownPromise ??= this.intake.pipeline.shutdown(timeoutMillis);
    return this.shutdownPromise;
  }
}
