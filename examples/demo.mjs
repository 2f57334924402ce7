// The demo: an HTTP service traced with OpenTelemetry whose request handlers record analytics
// (all six Segment calls), delivered to the embedded local sink. It shows every delivered message
// beside the trace of the request it came from, then exits.
import { createServer } from 'node:http';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Analytics, startSink } from 'metarouter-otel';

// 1. The local ingestion endpoint (what `npx metarouter-otel sink` runs), printing what it receives.
const sink = await startSink({ port: 0, onLine: (line) => console.log(`  sink received  ${line}`) });

// 2. The service's OpenTelemetry tracing, as any traced Node service has it.
context.setGlobalContextManager(new AsyncHooksContextManager().enable());
const spans = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
const tracer = trace.getTracer('demo-shop');

// 3. Analytics, pointed at the sink.
const analytics = new Analytics({ writeKey: 'demo_source_id', host: sink.url, flushInterval: 100 });
analytics.on('error', (error) => console.error(`  delivery error ${error.code}: ${error.message}`));

// 4. The service: each handler runs inside its request's server span and records analytics there.
const routes = {
  '/signup': async (userId) => {
    analytics.alias({ previousId: `anon-${userId}`, userId });
    analytics.identify({ userId, traits: { name: 'Arthur Dent', email: 'earthling1@hitchhikersguide.com', friends: 100 } });
    await new Promise((resolve) => setTimeout(resolve, 5)); // an await: the trace context follows
    analytics.track({ userId, event: 'Signed Up', properties: { plan: 'pro' } });
  },
  '/docs': async (userId) => {
    analytics.page({ userId, category: 'Docs', name: 'Python', properties: { url: 'http://metarouter.io' } });
  },
  '/app/home': async (userId) => {
    analytics.screen({ userId, name: 'Home' });
  },
  '/team': async (userId) => {
    analytics.group({ userId, groupId: 'group_id', traits: { name: 'MetaRouter', domain: 'Data Engineering Platform' } });
  },
};

const service = createServer((request, response) => {
  const url = new URL(request.url, 'http://service');
  tracer.startActiveSpan(`GET ${url.pathname}`, { kind: SpanKind.SERVER }, async (span) => {
    await routes[url.pathname](url.searchParams.get('user'));
    response.setHeader('x-trace-id', span.spanContext().traceId);
    response.end('ok\n');
    span.end();
  });
});
await new Promise((resolve) => service.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${service.address().port}`;

// 5. A few requests, as a browser or app would make them.
console.log(`\nDemo shop on ${base}, analytics to the local sink on ${sink.url}`);
console.log(`(while it runs, the sink's live debugger page is at ${sink.debuggerUrl}; \`npx metarouter-otel sink\` keeps one open)\n`);
const requests = [];
for (const path of Object.keys(routes)) {
  const response = await fetch(`${base}${path}?user=1234qwerty`);
  await response.text();
  requests.push({ path, traceId: response.headers.get('x-trace-id') });
}

await analytics.closeAndFlush();
service.close();
await sink.close();

// 6. Every message, found from the trace of its request (and the trace from the message).
console.log('\nMessages by the request trace they were recorded in:\n');
let correlated = 0;
for (const { path, traceId } of requests) {
  const found = sink.messages.filter((message) => message.context?.otel?.traceId === traceId);
  const span = spans.getFinishedSpans().find((s) => s.spanContext().traceId === traceId);
  const marks = span.events.map((event) => event.attributes['analytics.message_id']);
  correlated += found.length;
  console.log(`  GET ${path.padEnd(10)} trace ${traceId}`);
  for (const message of found) {
    const onSpan = marks.includes(message.messageId) ? 'marked on the span' : 'NOT on the span';
    console.log(`      ${message.type.padEnd(8)} ${String(message.event ?? message.name ?? message.groupId ?? message.previousId ?? '').padEnd(12)} messageId ${message.messageId}  (${onSpan})`);
  }
}
const ok = sink.messages.length === 6 && correlated === 6;
console.log(`\n${sink.messages.length} messages delivered, ${correlated} correlated with their request's trace: ${ok ? 'OK' : 'MISMATCH'}`);
process.exitCode = ok ? 0 : 1;
