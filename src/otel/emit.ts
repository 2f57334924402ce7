import type { Attributes, Context, Span } from '@opentelemetry/api';
import type { AnyValueMap, Logger } from '@opentelemetry/api-logs';
import { DeliveryError } from '../errors/metarouter-error.js';
import type { EventType } from '../translate/analytics-record.js';
import { ATTRIBUTES, EVENT_NAMES, MARK_ATTRIBUTE, MARK_VALUE } from './convention.js';
import { PREPARED, type Prepared } from './prepared-body.js';

/**
 * Emits the facade's calls as OpenTelemetry log records (the carrier: not sampled away, nested
 * bodies allowed) and marks them on the active recording span so the trace shows each call.
 */
export class AnalyticsEmitter {
  /**
   * @param fullBody - a user's logs pipeline: the record carries the message as a plain body map,
   *   which that pipeline's processors may edit and from which every exporter (ours too) reads what
   *   is sent. The built-in pipeline has no processors: its records carry only the prepared
   *   message, shipped as is.
   */
  constructor(
    private readonly logger: Logger,
    private readonly fullBody: boolean,
    private readonly spanEvents: boolean,
    private readonly report: (error: DeliveryError) => void,
  ) {}

  /** `span`: the span active at the call (`trace.getSpan(active)`), read once by the caller. */
  emit(type: EventType, prepared: Prepared, timeMillis: number, active: Context, span: Span | undefined, event: string | undefined): void {
    const { record, message } = prepared;
    const body: Record<string | symbol, unknown> = { type, messageId: message.messageId };
    if (this.fullBody) {
      body.timestamp = record.timestamp;
      Object.assign(body, JSON.parse(record.fields));
      if (record.context.length > 2) body.context = JSON.parse(record.context);
    } else {
      // Only the built-in Logger reads this body, and nothing prints it: a plain store, a tenth of
      // the cost of defineProperty (the prepared message holds the writeKey, hence no other reader).
      body[PREPARED] = prepared;
    }
    try {
      this.logger.emit({ eventName: EVENT_NAMES[type], timestamp: timeMillis, body: body as AnyValueMap, context: active });
    } catch (error) {
      // A user's pipeline that throws must not turn a valid call into an exception of the app.
      this.report(new DeliveryError('MR_ERR_EMIT_FAILED', `the logs pipeline threw while taking the ${type} record`, [message.messageId], { cause: error }));
      return;
    }
    if (this.spanEvents && span !== undefined) this.mark(span, type, message.messageId, event, timeMillis);
  }

  private mark(span: Span, type: EventType, messageId: string, event: string | undefined, timeMillis: number): void {
    if (!span.isRecording()) return;
    const attributes: Attributes = { [ATTRIBUTES.messageId]: messageId, [MARK_ATTRIBUTE]: MARK_VALUE };
    if (event !== undefined) attributes[ATTRIBUTES.event] = event;
    // The call's own time: the same instant as the message, and no second clock reading.
    span.addEvent(EVENT_NAMES[type], attributes, timeMillis);
  }
}
