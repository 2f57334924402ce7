import { DEFAULTS } from '../config/defaults.js';
import type { DeliveryOptions } from '../config/options.js';
import { resolveDeliveryOptions } from '../config/resolve-options.js';
import { createDelivery } from '../delivery/create-delivery.js';
import type { Delivery, DeliveryCounters } from '../delivery/delivery.js';
import { ErrorChannel } from '../errors/error-channel.js';
import type { DeliveryError } from '../errors/metarouter-error.js';
import type { FieldProblem } from '../translate/check-fields.js';
import type { Message } from '../translate/message.js';
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
  private shutdownPromise: Promise<void> | undefined;

  constructor(options?: DeliveryOptions) {
    super();
    const config = resolveDeliveryOptions(options);
    this.writeKeyJson = JSON.stringify(config.writeKey);
    this.selfMetrics = createSelfMetrics();
    this.delivery = createDelivery(config, (error) => this.report(error), [this.selfMetrics.observer]);
    const { delivery } = this;
    this.selfMetrics.observeQueue(() => delivery.size);
  }

  /** Running totals of the delivery queue. */
  get counters(): Readonly<DeliveryCounters> {
    return this.delivery.counters;
  }

  /** Reads one exported item and queues what it holds; returns how many analytics events were not taken. */
  protected abstract take(item: T): number;

  /** OTel exporter entry point: queues every analytics event of the batch and reports at once. */
  export(items: T[], resultCallback: (result: ExportResult) => void): void {
    let notTaken = 0;
    for (const item of items) notTaken += this.take(item);
    resultCallback(
      notTaken === 0
        ? { code: ExportResultCode.SUCCESS }
        : { code: ExportResultCode.FAILED, error: new Error(`${notTaken} analytics events were not queued; see the exporter's error channel`) },
    );
  }

  /** Resolves once everything exported so far is delivered or reported, including requests in flight. */
  forceFlush(): Promise<void> {
    return this.delivery.flush();
  }

  /** Flushes, then stops. Past `timeoutMillis` what is left is reported undelivered. Idempotent. */
  shutdown(timeoutMillis: number = DEFAULTS.closeTimeout): Promise<void> {
    this.shutdownPromise ??= this.delivery.shutdown(timeoutMillis).then(() => this.selfMetrics.stop());
    return this.shutdownPromise;
  }

  /** @internal Counts and reports a message the caller gave up (the facade's calls after close). */
  discard(error: DeliveryError): void {
    this.delivery.discard(error.code, error.message, [...error.messageIds]);
  }

  /** @internal Queues one message; 0 when taken, 1 when not (the reason was reported). */
  protected enqueue(message: Message): number {
    return this.delivery.enqueue(message) ? 0 : 1;
  }

  /** @internal Reports an `analytics.*` record that could not be read; returns 1 (one not taken). */
  protected reject(problem: FieldProblem, source: string): number {
    this.delivery.discard('MR_ERR_INVALID_RECORD', `${source} is not a valid analytics event: ${problem.message}`, [], 1);
    return 1;
  }
}
