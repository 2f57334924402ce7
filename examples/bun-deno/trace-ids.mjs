// Trace ids on Bun and Deno: the least an app writes for its calls to carry the active span's ids.
// A context manager (AsyncLocalStorage, which both runtimes provide through node:async_hooks) keeps
// the active span across `await`; without one the OpenTelemetry API forgets it at the first await.
//
//   METAROUTER_WRITE_KEY=… METAROUTER_HOST=http://127.0.0.1:8080 bun run trace-ids.mjs
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Analytics } from 'metarouter-otel';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider());

const analytics = new Analytics({ writeKey: process.env.METAROUTER_WRITE_KEY, host: process.env.METAROUTER_HOST });
const errors = [];
analytics.on('error', (error) => errors.push(error.code));

const tracer = trace.getTracer('checkout');
const { id, span } = await tracer.startActiveSpan('POST /checkout', async (active) => {
  // A real handler awaits its database or another service before it records the event.
  await sleep(5);
  const messageId = analytics.track({ userId: 'user-1', event: 'Order Completed' });
  active.end();
  return { id: messageId, span: active.spanContext() };
});
await analytics.flush();

// One line a script can read: the message sent and the span it was made in.
console.log(JSON.stringify({ id, traceId: span.traceId, spanId: span.spanId, errors, delivered: analytics.counters.delivered }));
