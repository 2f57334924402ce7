// Analytics inside an OpenTelemetry setup a service already has: our exporters sit in its logs and
// traces pipelines; Analytics emits into the service's LoggerProvider; any code may also record
// analytics as span events by the attribute convention. Runs against the local sink and exits.
import { context, trace } from '@opentelemetry/api';
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Analytics, MetaRouterLogRecordExporter, MetaRouterSpanExporter, startSink } from 'metarouter-otel';

const sink = await startSink({ port: 0, onLine: (line) => console.log(`sink received  ${line}`) });
const destination = { writeKey: 'demo_source_id', host: process.env.METAROUTER_HOST ?? sink.url };

context.setGlobalContextManager(new AsyncHooksContextManager().enable());
const loggerProvider = new LoggerProvider({
  processors: [new BatchLogRecordProcessor({ exporter: new MetaRouterLogRecordExporter(destination) })],
});
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(new MetaRouterSpanExporter(destination))],
});
const tracer = tracerProvider.getTracer('checkout');

const analytics = new Analytics({ ...destination, loggerProvider });

tracer.startActiveSpan('POST /checkout', (span) => {
  // Through the facade: a log record in the service's pipeline, marked on this span.
  analytics.track({ userId: 'u-1', event: 'Order Completed', properties: { total: 42.5, currency: 'EUR' } });
  // By hand, as code in any language can: a span event named analytics.*.
  span.addEvent('analytics.track', {
    'analytics.user_id': 'u-1',
    'analytics.event': 'Coupon Applied',
    'analytics.properties.code': 'SPRING',
  });
  // Other telemetry in the same pipelines is not sent to MetaRouter.
  loggerProvider.getLogger('checkout').emit({ body: 'checkout finished' });
  span.end();
});

await analytics.closeAndFlush();
await tracerProvider.shutdown();
await loggerProvider.shutdown();
await sink.close();
console.log(`${sink.messages.length} analytics messages delivered (the plain log line and the span itself were not)`);
process.exitCode = sink.messages.length === 2 ? 0 : 1;
