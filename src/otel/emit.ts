import type { Attributes, Context, Span } from '@opentelemetry/api';
import type { AnyValueMap, Logger } from '@opentelemetry/api-logs';
import { DeliveryError } from '../errors/metarouter-error.js';
import type { AnalyticsRecord, EventType } from '../translate/analytics-record.js';
import { ATTRIBUTES, EVENT_NAMES, MARK_ATTRIBUTE, MARK_VALUE } from './convention.js';

/**
 * Emits the facade's calls as OpenTelemetry log records into a user's logs pipeline (the carrier:
 * not sampled away, nested bodies allowed), and marks them on the active recording span so the
 * trace shows each call. The built-in pipeline has no Logger here: its calls are queued by the
 * facade as serialized, and only marked here.
 */
export class AnalyticsEmitter {
  /**
   * @param logger - a user's logs pipeline: the record carries the message as a plain body map,
   *   which that pipeline's processors may edit and from which every exporter (ours too) reads what
   *   is sent. Undefined for the built-in pipeline.
   */
  constructor(
    private readonly logger: Logger | undefined,
    private readonly spanEvents: boolean,
    private readonly report: (error: DeliveryError) => void,
  ) {}

  /** `span`: the span active at the call (`trace.getSpan(active)`), read once by the caller. */
  emit(type: EventType, record: AnalyticsRecord, messageId: string, timeMillis: number, active: Context, span: Span | undefined, event: string | undefined): void {
    if (this.logger !== undefined) {
      const body: Record<string, unknown> = { type, messageId, timestamp: record.timestamp, ...JSON.parse(record.fields) };
      if (record.context.length > 2) body.context = JSON.parse(record.context);
      try {
        this.logger.emit({ eventName: EVENT_NAMES[type], timestamp: timeMillis, body: body as AnyValueMap, context: active });
      } catch (error) {
        // A user's pipeline that throws must not turn a valid call into an exception of the app.
        this.report(new DeliveryError('MR_ERR_EMIT_FAILED', `the logs pipeline threw while taking the ${type} record`, [messageId], { cause: error }));
        return;
      }
    }
    if (this.spanEvents && span !== undefined) this.mark(span, type, messageId, event, timeMillis);
  }

  private mark(span: Span, type: EventType, messageId: string, event: string | undefined, timeMillis: number): void {
    if (!span.isRecording()) return;
    const attributes: Attributes = { [ATTRIBUTES.messageId]: messageId, [MARK_ATTRIBUTE]: MARK_VALUE };
    if (event !== undefined) attributes[ATTRIBUTES.event] = event;
    // The call's own time: the same instant as the message, and no second clock reading.
    span.addEvent(EVENT_NAMES[type], attributes, timeMillis);
  }
}
