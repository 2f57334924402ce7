// An Express 5 service set up as most Node services are: @opentelemetry/sdk-node with HTTP
// auto-instrumentation. Our exporters go in through the SDK's own options; Analytics emits into the
// LoggerProvider the SDK registered. The service calls itself once, shuts down, shows what arrived
// and checks that each message carries the trace id of the HTTP server span it was recorded in.
//
// Analytics go to METAROUTER_HOST when it is set (e.g. `npx metarouter-otel sink`), else to a
// local sink started here.
import { logs } from '@opentelemetry/api-logs';
import { SpanKind, trace } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { logs as sdkLogs, NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { Analytics, MetaRouterLogRecordExporter, MetaRouterSpanExporter, startSink } from 'metarouter-otel';

const sink = process.env.METAROUTER_HOST ? undefined : await startSink({ port: 0, onLine: (line) => console.log(`sink received  ${line}`) });
const destination = { writeKey: process.env.METAROUTER_WRITE_KEY || 'demo_source_id', host: process.env.METAROUTER_HOST || sink.url };

// 1. The SDK, with our exporters registered through its own options. The in-memory span exporter
//    only lets this example compare trace ids at the end.
const spans = new tracing.InMemorySpanExporter();
const sdk = new NodeSDK({
  serviceName: 'shop',
  instrumentations: [new HttpInstrumentation()],
  spanProcessors: [new tracing.BatchSpanProcessor(new MetaRouterSpanExporter(destination)), new tracing.SimpleSpanProcessor(spans)],
  logRecordProcessors: [new sdkLogs.BatchLogRecordProcessor({ exporter: new MetaRouterLogRecordExporter(destination) })],
  metricReaders: [], // this example has no metrics backend
});
sdk.start();

// 2. Analytics emits into the LoggerProvider NodeSDK registered globally (the app's choice).
const analytics = new Analytics({ ...destination, loggerProvider: logs.getLoggerProvider() });

// 3. The app. Express is loaded after sdk.start() so that the HTTP instrumentation sees `http` load.
const { default: express } = await import('express');
const app = express();
app.use(express.json());
app.post('/checkout', (request, response) => {
  // Runs inside the HTTP server span: the message gets its trace and span ids.
  const messageId = analytics.track({ userId: request.body.userId, event: 'Order Completed', properties: { total: request.body.total, currency: 'EUR' } });
  // Code in any language can also record analytics as a span event; the span exporter ships it.
  trace.getActiveSpan()?.addEvent('analytics.track', { 'analytics.user_id': request.body.userId, 'analytics.event': 'Coupon Applied', 'analytics.properties.code': 'SPRING' });
  response.json({ messageId });
});
const server = await new Promise((resolve) => {
  const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
});

// 4. One request, as a client would make it.
const response = await fetch(`http://127.0.0.1:${server.address().port}/checkout`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ userId: 'u-42', total: 42.5 }),
});
const { messageId } = await response.json();

// 5. Shut down in the usual order: stop taking requests, then flush telemetry.
server.closeAllConnections();
await new Promise((resolve) => server.close(resolve));
await analytics.closeAndFlush(); // flushes the SDK's LoggerProvider; does not shut it down
const [serverSpan] = spans.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);
await sdk.shutdown(); // flushes both pipelines, then shuts down our exporters with them
const traceId = serverSpan?.spanContext().traceId;
console.log(`HTTP server span "${serverSpan?.name}" trace ${traceId}, track call messageId ${messageId}`);

if (sink === undefined) {
  console.log(`sent to ${destination.host}`);
} else {
  await sink.close();
  const correlated = sink.messages.filter((message) => message.context?.otel?.traceId === traceId && message.context?.otel?.spanId === serverSpan.spanContext().spanId);
  const ok = sink.messages.length === 2 && correlated.length === 2 && sink.messages.some((message) => message.messageId === messageId);
  console.log(`${sink.messages.length} messages delivered, ${correlated.length} with the HTTP server span's trace id in context.otel: ${ok ? 'OK' : 'MISMATCH'}`);
  process.exitCode = ok ? 0 : 1;
}
