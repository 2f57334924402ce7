import type { ExporterOptions } from '../config/exporter-options.js';
import { resolveBeforeSend, resolveDeliveryOptions } from '../config/resolve-options.js';
import { resolveResourceKeys } from '../config/resolve-resource.js';
import { readOptions } from '../config/validate.js';
import type { ReportedError } from '../errors/error-channel.js';
import { readThrown } from '../errors/metarouter-error.js';
import { createPipeline } from '../pipeline/create-pipeline.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { FieldProblem } from '../translate/check-fields.js';
import type { Message } from '../translate/message.js';
import { ResourceOrigins } from './read-resource.js';

/**
 * Where an OTel face (either exporter, the processor) puts what it reads from records: its
 * pipeline, made by the assembly from the face's options, and the origin of each resource seen.
 * A reader hands it each message, or the problem that kept a record from being one.
 */
export class Intake {
  readonly writeKeyJson: string;
  /** The origin (`context.library`, `context.otel.resource`) of each resource seen. */
  readonly origins: ResourceOrigins;
  readonly pipeline: Pipeline;
  /** With `storage`: what is taken is on disk before the taking call returns. */
  readonly durable: boolean;

  /** Throws `ConfigurationError` for a bad option. */
  constructor(options: ExporterOptions | undefined, report: (error: ReportedError) => void) {
    const given = readOptions(options);
    const sending = resolveDeliveryOptions(given);
    const beforeSend = resolveBeforeSend(given.beforeSend);
    this.writeKeyJson = JSON.stringify(sending.writeKey);
    this.durable = sending.storage !== undefined;
    this.origins = new ResourceOrigins(resolveResourceKeys(given.resourceAttributeKeys));
    this.pipeline = createPipeline({ sending, shaping: { beforeSend, plan: given }, report, selfMetrics: true });
  }

  /** Reads one item with `take`, never throwing: a record no reader foresaw costs only itself. */
  accept<T>(item: T, take: (item: T) => void): void {
    try {
      take(item);
    } catch (error) {
      this.pipeline.discard('MR_ERR_INVALID_RECORD', `an exported item could not be read: ${readThrown(error).text}`, [], 1);
    }
  }

  /**
   * Shapes one message read from a record (`beforeSend`, the plan), then queues it; what is not
   * taken (dropped by a stage, failed, closed, queue full) is counted and, unless a stage dropped
   * it, reported.
   */
  offer(message: Message): void {
    this.pipeline.offer(message);
  }

  /**
   * Reports an `analytics.*` record that could not be read, naming it by `source` and by the
   * messageId it carries (or would have had), when there is one.
   */
  reject(problem: FieldProblem, source: string, messageId: string | undefined): void {
    this.pipeline.discard('MR_ERR_INVALID_RECORD', `${source} is not a valid analytics event: ${problem.message}`, messageId === undefined ? [] : [messageId], 1);
  }
}
