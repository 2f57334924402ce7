import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { arrivedOnce, startIngestServer, type IngestServer } from '../helpers/ingest-server.js';
import { tracerProvider, useContextManager } from '../helpers/otel.js';

let server: IngestServer;
let removeContextManager: () => void;
before(async () => {
  removeContextManager = useContextManager();
  server = await startIngestServer();
});
after(async () => {
  removeContextManager();
  await server.close();
});

const arrived = (messageId: string) => arrivedOnce(server, messageId);

function contextOf(message: Record<string, unknown>): Record<string, unknown> {
  return message.context as Record<string, unknown>;
}

function pause(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}

test('a call inside an active span carries that span’s ids in context.otel, also across awaits; a call outside any span has none', async () => {
  const { provider, tracer } = tracerProvider();
  const analytics = new Analytics({ writeKey: 'k', host: server.url });

  // An async request handler: the call comes after awaits, so only async-hooks propagation can find the span.
  async function handler(): Promise<string> {
    await pause(2);
    await new Promise((resolve) => setImmediate(resolve));
    return analytics.identify({ userId: 'u-deep', traits: { plan: 'pro' } });
  }

  const seen = await tracer.startActiveSpan('GET /signup', async (span) => {
    const direct = analytics.track({ userId: 'u1', event: 'Signed Up' });
    const deep = await handler();
    const child = tracer.startActiveSpan('db.query', (inner) => {
      const id = analytics.page({ userId: 'u1', name: 'Inner' });
      inner.end();
      return { id, ids: inner.spanContext() };
    });
    span.end();
    return { direct, deep, child, ids: span.spanContext() };
  });
  const outside = analytics.track({ userId: 'u1', event: 'Outside' });

  await analytics.closeAndFlush();
  await provider.shutdown();

  const expected = { traceId: seen.ids.traceId, spanId: seen.ids.spanId };
  assert.match(expected.traceId, /^[0-9a-f]{32}$/);
  assert.match(expected.spanId, /^[0-9a-f]{16}$/);
  assert.deepEqual(contextOf(arrived(seen.direct)).otel, expected, 'call made directly in the span');
  assert.deepEqual(contextOf(arrived(seen.deep)).otel, expected, 'call made in an awaited async function within the span');
  assert.deepEqual(
    contextOf(arrived(seen.child.id)).otel,
    { traceId: seen.ids.traceId, spanId: seen.child.ids.spanId },
    'call made in a child span carries the child’s span id, in the same trace',
  );
  assert.notEqual(seen.child.ids.spanId, seen.ids.spanId);

  const outsideMessage = arrived(outside);
  assert.equal(Object.hasOwn(contextOf(outsideMessage), 'otel'), false, 'no context.otel outside any span');
  assert.ok(contextOf(outsideMessage).library, 'context.library is still there');
});

test('the facade marks the call on the span: an analytics.track event whose analytics.message_id finds the call, and the call finds the trace', async () => {
  const { provider, tracer, finished } = tracerProvider();
  const analytics = new Analytics({ writeKey: 'k', host: server.url });

  const messageId = tracer.startActiveSpan('POST /orders', (span) => {
    const id = analytics.track({ userId: 'u2', event: 'Order Completed', properties: { total: 42 } });
    span.end();
    return id;
  });
  await analytics.closeAndFlush();
  await provider.forceFlush();

  // From the trace to the call.
  const spans = finished.getFinishedSpans();
  assert.equal(spans.length, 1);
  const [span] = spans;
  const marks = span!.events.filter((event) => event.name === 'analytics.track');
  assert.equal(marks.length, 1, 'one analytics.track event on the span');
  const markedId = marks[0]!.attributes?.['analytics.message_id'];
  assert.equal(markedId, messageId, 'the span event names the returned messageId');
  assert.equal(marks[0]!.attributes?.['analytics.event'], 'Order Completed');
  const message = arrived(String(markedId));
  assert.equal(message.event, 'Order Completed');
  assert.deepEqual(message.properties, { total: 42 });

  // From the call to the trace.
  const otel = contextOf(message).otel as { traceId: string; spanId: string };
  const traced = finished.getFinishedSpans().filter((s) => s.spanContext().traceId === otel.traceId && s.spanContext().spanId === otel.spanId);
  assert.equal(traced.length, 1, 'context.otel names the finished span');
  assert.equal(traced[0]!.name, 'POST /orders');

  await provider.shutdown();
});

test('with spanEvents: false the call is still correlated, but no event is added to the span', async () => {
  const { provider, tracer, finished } = tracerProvider();
  const analytics = new Analytics({ writeKey: 'k', host: server.url, spanEvents: false });

  const { messageId, ids } = tracer.startActiveSpan('quiet', (span) => {
    const id = analytics.track({ userId: 'u3', event: 'Quiet' });
    span.end();
    return { messageId: id, ids: span.spanContext() };
  });
  await analytics.closeAndFlush();
  await provider.forceFlush();

  const [span] = finished.getFinishedSpans();
  assert.ok(span);
  assert.deepEqual(span.events, [], 'no span event');
  assert.deepEqual(contextOf(arrived(messageId)).otel, { traceId: ids.traceId, spanId: ids.spanId });

  await provider.shutdown();
});
