import { MetaRouterExporterBase } from './exporter-base.js';
import { readSpanEvents, type SpanLike } from './read-span.js';

/**
 * An OpenTelemetry `SpanExporter` that ships the `analytics.*` span events of finished spans to
 * MetaRouter (recorded by any code, by the attribute convention). Spans themselves are not sent,
 * nor the marks the `Analytics` facade leaves on spans.
 */
export class MetaRouterSpanExporter extends MetaRouterExporterBase<SpanLike> {
  protected take(span: SpanLike): number {
    let notTaken = 0;
    for (const outcome of readSpanEvents(span, this.writeKeyJson)) {
      notTaken += 'message' in outcome ? this.enqueue(outcome.message) : this.reject(outcome.problem, `${outcome.eventName} span event`);
    }
    return notTaken;
  }
}
