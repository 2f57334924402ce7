import { DEFAULTS } from '../config/defaults.js';
import type { ExporterOptions } from '../config/exporter-options.js';
import { resolveBeforeSend, resolveDeliveryOptions } from '../config/resolve-options.js';
import { readOptions } from '../config/validate.js';
import { resolveResourceKeys } from '../config/resolve-resource.js';
import type { DeliveryCounters } from '../delivery/delivery.js';
import { ErrorChannel } from '../errors/error-channel.js';
import { readThrown } from '../errors/metarouter-error.js';
import { createPipeline } from '../pipeline/create-pipeline.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { FieldProblem } from '../translate/check-fields.js';
import type { Message } from '../translate/message.js';
import { diag, type HrTime } from '@opentelemetry/api';
import { ExportResultCode, hrTimeToMillis, type ExportResult } from './otel-compat.js';
import { ResourceOrigins } from './read-resource.js';

/** An item exported this long after it was ready came through a batching processor. */
const BATCHED_AFTER_MILLIS = 200;

/**
 * What both MetaRouter exporters share: options, their pipeline (made by the assembly), the
 * `error` channel, and the OTel exporter contract (`SUCCESS` once a record is in the delivery
 * queue; `forceFlush` drains requests in flight; `shutdown` is idempotent).
 */
export abstract class MetaRouterExporterBase<T> extends ErrorChannel {
  /** @internal */
  protected readonly writeKeyJson: string;
  /** @internal The origin (`context.library`, `context.otel.resource`) of each resource seen. */
  protected readonly origins: ResourceOrigins;
  private readonly pipeline: Pipeline;
  private shutdownPromise: Promise<void> | undefined;
  /** With `storage`, until the first sign of a batching processor in front (then warned, once). */
  private watchBatching: boolean;

  constructor(options?: ExporterOptions) {
    super();
    const given = readOptions(options);
    const sending = resolveDeliveryOptions(given);
    const beforeSend = resolveBeforeSend(given.beforeSend);
    this.writeKeyJson = JSON.stringify(sending.writeKey);
    this.watchBatching = sending.storage !== undefined;
    this.origins = new ResourceOrigins(resolveResourceKeys(given.resourceAttributeKeys));
    this.pipeline = createPipeline({ sending, shaping: { beforeSend, plan: given }, report: (error) => this.report(error), selfMetrics: true });
  }

  /** Running totals of the delivery queue. */
  get counters(): Readonly<DeliveryCounters> {
    return this.pipeline.counters;
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
    for (const item of items) this.accept(item);
    resultCallback(
      this.shutdownPromise === undefined
        ? { code: ExportResultCode.SUCCESS }
        : { code: ExportResultCode.FAILED, error: new Error('export after shutdown; see the exporter\'s error channel') },
    );
  }

  /**
   * @internal Takes one item as `export` does, never throwing: the processor's `onEmit` calls this
   * with each record, in the emitting call.
   */
  accept(item: T): void {
    try {
      this.take(item);
    } catch (error) {
      // A record no reader foresaw must cost only itself, never the rest of the batch.
      this.pipeline.discard('MR_ERR_INVALID_RECORD', `an exported item could not be read: ${readThrown(error).text}`, [], 1);
    }
  }

  /** Resolves once everything exported so far is delivered or reported, including requests in flight. */
  forceFlush(): Promise<void> {
    return this.pipeline.flush();
  }

  /** Flushes, then stops. Past `timeoutMillis` what is left is reported undelivered. Idempotent. */
  shutdown(timeoutMillis: number = DEFAULTS.closeTimeout): Promise<void> {
    this.shutdownPromise ??= this.pipeline.shutdown(timeoutMillis);
    return this.shutdownPromise;
  }

  /**
   * @internal Shapes one message read from an exported item (`beforeSend`), then queues it; what is
   * not taken (dropped by a hook, failed, closed, queue full) is counted and, unless a hook dropped
   * it, reported.
   */
  protected enqueue(message: Message): void {
    this.pipeline.offer(message);
  }

  /**
   * @internal Reports an `analytics.*` record that could not be read, naming it by `source` and by
   * the messageId it carries (or would have had), when there is one.
   */
  protected reject(problem: FieldProblem, source: string, messageId: string | undefined): void {
    this.pipeline.discard('MR_ERR_INVALID_RECORD', `${source} is not a valid analytics event: ${problem.message}`, messageId === undefined ? [] : [messageId], 1);
  }
}
