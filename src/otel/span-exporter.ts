import type { HrTime } from '@opentelemetry/api';
import { MetaRouterExporterBase } from './exporter-base.js';
import { readSpanEvents, type SpanLike } from './read-span.js';

/**
 * An OpenTelemetry `SpanExporter` that ships the `analytics.*` span events of finished spans to
 * MetaRouter (recorded by any code, by the attribute convention). Spans themselves are not sent,
 * nor the marks the `Analytics` facade leaves on spans.
 */
export class MetaRouterSpanExporter extends MetaRouterExporterBase<SpanLike> {
  protected readyAt(span: SpanLike): HrTime | undefined {
    return span.endTime;
  }

  protected take(span: SpanLike): void {
    const outcomes = readSpanEvents(span, this.intake.writeKeyJson, this.intake.origins.of(span.resource));
    for (const outcome of outcomes) {
      if ('message' in outcome) {
        this.intake.offer(outcome.message);
      } else {
        const { traceId, spanId } = span.spanContext();
        this.intake.reject(outcome.problem, `${outcome.eventName} span event #${outcome.index} of span ${spanId} (trace ${traceId})`, outcome.messageId);
      }
    }
  }
}
