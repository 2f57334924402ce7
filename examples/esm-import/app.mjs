// An ES module service started as `node --import ./otel.mjs app.mjs`. It imports `node:http`
// statically and still gets server spans: otel.mjs ran first. It calls itself once, prints the
// track call's messageId and the trace id of the server span it was made in, and shuts down.
import { createServer } from 'node:http';
import { trace } from '@opentelemetry/api';
import { analytics, shutdownTelemetry } from './otel.mjs';

const server = createServer((request, response) => {
  // Inside the HTTP server span the instrumentation made: the message gets its trace and span ids.
  const messageId = analytics.track({ userId: 'u-7', event: 'Checkout Started', properties: { cart: 3 } });
  const traceId = trace.getActiveSpan()?.spanContext().traceId ?? 'none';
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ messageId, traceId }));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const reply = await fetch(`http://127.0.0.1:${server.address().port}/checkout`, { method: 'POST' });
const { messageId, traceId } = await reply.json();

server.closeAllConnections();
await new Promise((resolve) => server.close(resolve));
await shutdownTelemetry();
console.log(`track call messageId ${messageId} in the HTTP server span of trace ${traceId}`);
