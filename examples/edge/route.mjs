// app/api/report/route.mjs of a Next.js app, on the Edge runtime (`export const runtime = 'edge'`).
// Next.js bundles it with the `edge-light` condition, which picks the package's edge entry: the
// fetch transport, no undici, no file system. The Analytics instance lives at module scope (the
// isolate is reused across requests); each request hands `analytics.flush()` to waitUntil, so the
// response goes out at once and the events are delivered before the function is frozen.
import { trace } from '@opentelemetry/api';
import { Analytics } from 'metarouter-otel';
import './instrumentation.mjs';
import { waitUntil } from './wait-until.mjs';

export const runtime = 'edge';

const analytics = new Analytics({
  writeKey: process.env.METAROUTER_WRITE_KEY,
  host: process.env.METAROUTER_HOST,
  // Sent gzipped where the runtime has CompressionStream; uncompressed where it has none.
  compression: 'gzip',
});
analytics.on('error', (error) => console.warn(`analytics ${error.code}: ${error.message}`, error.messageIds));

const tracer = trace.getTracer('edge-example');

export async function GET(request) {
  const url = new URL(request.url);
  const userId = url.searchParams.get('user') ?? 'anonymous';
  return tracer.startActiveSpan('GET /api/report', async (span) => {
    const viewed = analytics.track({ userId, event: 'Report Viewed', properties: { report: url.searchParams.get('report') } });
    // Still inside the span after an await: the context manager carries it across.
    const rows = await Promise.resolve(42);
    const rendered = analytics.track({ userId, event: 'Report Rendered', properties: { rows } });
    span.end();
    waitUntil(analytics.flush());
    const { traceId, spanId } = span.spanContext();
    return Response.json({ messageIds: [viewed, rendered], traceId, spanId });
  });
}
