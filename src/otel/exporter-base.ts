import { diag, type HrTime } from '@opentelemetry/api';
import { DEFAULTS } from '../config/defaults.js';
import type { ExporterOptions } from '../config/exporter-options.js';
import type { DeliveryCounters } from '../delivery/delivery.js';
import { ErrorChannel } from '../errors/error-channel.js';
import { Intake } from './intake.js';
import { ExportResultCode, hrTimeToMillis, type ExportResult } from './otel-compat.js';

/** An item exported this long after it was ready came through a batching processor. */
const BATCHED_AFTER_MILLIS = 200;

/**
 * What both MetaRouter exporters share: options, their pipeline (made by the assembly), the
 * `error` channel, and the OTel exporter contract (`SUCCESS` once a record is in the delivery
 * queue; `forceFlush` drains requests in flight; `shutdown` is idempotent).
 */
export abstract class MetaRouterExporterBase<T> extends ErrorChannel {
  /** @internal Where what is read goes: the pipeline made by the assembly. */
  protected readonly intake: Intake;
  private readonly takeOne = (item: T) => this.take(item);
  private shutdownPromise: Promise<void> | undefined;
  /** With `storage`, until the first sign of a batching processor in front (then warned, once). */
  private watchBatching: boolean;

  constructor(options?: ExporterOptions) {
    super();
    this.intake = new Intake(options, (error) => this.report(error));
    this.watchBatching = this.intake.durable;
  }

  /** Running totals of the delivery queue. */
  get counters(): Readonly<DeliveryCounters> {
    return this.intake.pipeline.counters;
  }

  /** Reads one exported item, queues the analytics events it holds and reports those it cannot. */
  protected abstract take(item: T): void;

  /** When the SDK had the item ready to export (a log record's observed time, a span's end). */
  protected abstract readyAt(item: T): HrTime | undefined;

  /**
   * With `storage`, whether the items waited in a batching processor, where a killed process loses
   * them before they reach the spool. An exporter cannot see its processor: a simple processor
   * exports each item alone, in the call that made it; a batching one exports several at once, or
   * one alone after its delay (1 s by default). The oldest item's age tells the second case.
   */
  private cameBatched(items: readonly T[]): boolean {
    if (items.length > 1) return true;
    const ready = items.length === 1 ? this.readyAt(items[0]!) : undefined;
    return Array.isArray(ready) && Date.now() - hrTimeToMillis(ready) > BATCHED_AFTER_MILLIS;
  }

  /**
   * OTel exporter entry point: queues every analytics event of the batch and answers at once.
   * Never throws, and answers `SUCCESS` even when some events were invalid or found the queue full:
   * each of those is reported on the `error` channel with what identifies it, and a `FAILED` would
   * only make the SDK's batch processors reject their flush and skip our `shutdown()`, abandoning
   * the valid messages already queued. `FAILED` is kept for exports after shutdown (the contract).
   */
  export(items: T[], resultCallback: (result: ExportResult) => void): void {
    if (this.watchBatching && this.cameBatched(items)) {
      this.watchBatching = false;
      diag.warn(
        'metarouter-otel: this exporter has storage, but a batching processor (BatchLogRecordProcessor, BatchSpanProcessor) holds records in memory before they reach it: a killed process loses those. Use MetaRouterLogRecordProcessor, or a SimpleLogRecordProcessor, in front of durable delivery (docs/durability.md).',
      );
    }
    for (const item of items) this.intake.accept(item, this.takeOne);
    resultCallback(
      this.shutdownPromise === undefined
        ? { code: ExportResultCode.SUCCESS }
        : { code: ExportResultCode.FAILED, error: new Error('export after shutdown; see the exporter\'s error channel') },
    );
  }

  /** Resolves once everything exported so far is delivered or reported, including requests in flight. */
  forceFlush(): Promise<void> {
    return this.intake.pipeline.flush();
  }

  /** Flushes, then stops. Past `timeoutMillis` what is left is reported undelivered. Idempotent. */
  shutdown(timeoutMillis: number = DEFAULTS.closeTimeout): Promise<void> {
    this.shutdownPromise ??= this.intake.pipeline.shutdown(timeoutMillis);
    return this.shutdownPromise;
  }
}
