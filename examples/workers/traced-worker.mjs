// The worker of worker.mjs, each request inside a span: the message a request makes, even after
// an await, carries context.otel.traceId and spanId of that span.
import { tracer } from './tracing.mjs';
import { analytics } from './worker.mjs';

export default {
  async fetch(request, env, ctx) {
    return tracer.startActiveSpan('GET /', async (span) => {
      try {
        const session = await fetchSession(request);
        const messageId = analytics.track({ userId: session.userId, event: 'Page Requested', properties: { path: new URL(request.url).pathname } });
        ctx.waitUntil(analytics.flush());
        return Response.json({ messageId, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
      } finally {
        span.end();
      }
    });
  },
};

/** Stands for the I/O a handler awaits before it records anything (a KV read, a fetch). */
async function fetchSession(request) {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return { userId: request.headers.get('x-user-id') ?? 'anonymous' };
}
