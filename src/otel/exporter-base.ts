import { DEFAULTS } from '../config/defaults.js';
import type { ExporterOptions } from '../config/exporter-options.js';
import { resolveBeforeSend, resolveDeliveryOptions } from '../config/resolve-options.js';
import { readOptions } from '../config/validate.js';
import { createDelivery } from '../delivery/create-delivery.js';
import type { Delivery, DeliveryCounters } from '../delivery/delivery.js';
import { ErrorChannel } from '../errors/error-channel.js';
import { readThrown, type DeliveryError } from '../errors/metarouter-error.js';
import type { FieldProblem } from '../translate/check-fields.js';
import type { Message } from '../translate/message.js';
import { createShaper } from '../shaping/create-shaper.js';
import { wirePlan } from '../shaping/plan-wiring.js';
import type { Shaper } from '../shaping/shape.js';
import type { ViolationForwarder } from '../shaping/violation-forwarder.js';
import { ExportResultCode, type ExportResult } from './otel-compat.js';
import { createSelfMetrics, type SelfMetrics } from './self-metrics.js';

/**
 * What both MetaRouter exporters share: options, the delivery engine, the `error` channel, and
 * the OTel exporter contract (`SUCCESS` once a record is in the delivery queue; `forceFlush`
 * drains requests in flight; `shutdown` is idempotent).
 */
export abstract class MetaRouterExporterBase<T> extends ErrorChannel {
  /** @internal */
  protected readonly delivery: Delivery;
  /** @internal */
  protected readonly writeKeyJson: string;
  private readonly selfMetrics: SelfMetrics;
  private readonly shaper: Shaper;
  private readonly forwarder: ViolationForwarder | undefined;
  private shutdownPromise: Promise<void> | undefined;

  constructor(options?: ExporterOptions) {
    super();
    const given = readOptions(options);
    const config = resolveDeliveryOptions(given);
    const beforeSend = resolveBeforeSend(given.beforeSend);
    this.writeKeyJson = JSON.stringify(config.writeKey);
    this.selfMetrics = createSelfMetrics();
    this.delivery = createDelivery(config, (error) => this.report(error), [this.selfMetrics.observer]);
    const { delivery } = this;
    const { plan, forwarder } = wirePlan(given, config, (error) => this.report(error));
    this.forwarder = forwarder;
    this.shaper = createShaper({ beforeSend, plan }, this.writeKeyJson, {
      filtered: (messageId, stage) => delivery.filter(messageId, stage),
      failed: (error) => delivery.discard(error.code, error.message, [...error.messageIds], 1, error.cause),
      report: (error) => this.report(error),
    });
    this.selfMetrics.observeQueue(() => delivery.size);
  }

  /** Running totals of the delivery queue. */
  get counters(): Readonly<DeliveryCounters> {
    return this.delivery.counters;
  }

  /** Reads one exported item, queues the analytics events it holds and reports those it cannot. */
  protected abstract take(item: T): void;

  /**
   * OTel exporter entry point: queues every analytics event of the batch and answers at once.
   * Never throws, and answers `SUCCESS` even when some events were invalid or found the queue full:
   * each of those is reported on the `error` channel with what identifies it, and a `FAILED` would
   * only make the SDK's batch processors reject their flush and skip our `shutdown()`, abandoning
   * the valid messages already queued. `FAILED` is kept for exports after shutdown (the contract).
   */
  export(items: T[], resultCallback: (result: ExportResult) => void): void {
    for (const item of items) {
      try {
        this.take(item);
      } catch (error) {
        // A record no reader foresaw must cost only itself, never the rest of the batch.
        this.delivery.discard('MR_ERR_INVALID_RECORD', `an exported item could not be read: ${readThrown(error).text}`, [], 1);
      }
    }
    resultCallback(
      this.shutdownPromise === undefined
        ? { code: ExportResultCode.SUCCESS }
        : { code: ExportResultCode.FAILED, error: new Error('export after shutdown; see the exporter\'s error channel') },
    );
  }

  /** Resolves once everything exported so far is delivered or reported, including requests in flight. */
  forceFlush(): Promise<void> {
    if (this.forwarder === undefined) return this.delivery.flush();
    return Promise.all([this.delivery.flush(), this.forwarder.flush()]).then(() => undefined);
  }

  /** Flushes, then stops. Past `timeoutMillis` what is left is reported undelivered. Idempotent. */
  shutdown(timeoutMillis: number = DEFAULTS.closeTimeout): Promise<void> {
    this.shutdownPromise ??= Promise.all([this.delivery.shutdown(timeoutMillis), this.forwarder?.shutdown(timeoutMillis)]).then(() => this.selfMetrics.stop());
    return this.shutdownPromise;
  }

  /** @internal Counts and reports a message the caller gave up (the facade's calls after close). */
  discard(error: DeliveryError): void {
    this.delivery.discard(error.code, error.message, [...error.messageIds], error.messageIds.length, error.cause);
  }

  /** @internal Counts a message the facade's shaping stage dropped (the user's decision). */
  filter(messageId: string, stage: string): void {
    this.delivery.filter(messageId, stage);
  }

  /**
   * @internal Shapes one message read from an exported item (`beforeSend`), then queues it; what is
   * not taken (dropped by a hook, failed, closed, queue full) is counted and, unless a hook dropped
   * it, reported.
   */
  protected enqueue(message: Message): void {
    const shaped = this.shaper.shape(message);
    if (shaped !== undefined) this.delivery.enqueue(shaped);
  }

  /**
   * @internal Reports an `analytics.*` record that could not be read, naming it by `source` and by
   * the messageId it carries (or would have had), when there is one.
   */
  protected reject(problem: FieldProblem, source: string, messageId: string | undefined): void {
    this.delivery.discard('MR_ERR_INVALID_RECORD', `${source} is not a valid analytics event: ${problem.message}`, messageId === undefined ? [] : [messageId], 1);
  }
}
