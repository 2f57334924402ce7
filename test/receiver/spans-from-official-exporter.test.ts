import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExportResultCode } from '../../src/otel/otel-compat.js';
import { BRIDGE_WRITE_KEY, startBridgePipeline } from '../helpers/otlp-bridge.js';
import { exportSpans } from '../helpers/otlp-clients.js';
import { DEFAULT_IDENTITY, SDK_LIBRARY, tracerProvider } from '../helpers/otel.js';

const AT = new Date('2026-05-06T07:08:09.123Z');

/** Spans recorded with the real SDK: one with analytics events among others, one with none. */
function recordSpans() {
  const { provider, tracer, finished } = tracerProvider();
  const checkout = tracer.startSpan('POST /checkout');
  checkout.addEvent('cache.miss', { key: 'cart:1' });
  checkout.addEvent(
    'analytics.track',
    {
      'analytics.user_id': 'u-1',
      'analytics.event': 'Checkout Started',
      'analytics.properties': JSON.stringify({ cart: { items: 3 } }),
      'analytics.properties.currency': 'EUR',
      'analytics.properties.total': 99.5,
      'analytics.context': JSON.stringify({ locale: 'de-DE' }),
    },
    AT,
  );
  checkout.recordException(new Error('payment gateway slow'));
  checkout.addEvent('analytics.identify', { 'analytics.user_id': 'u-1', 'analytics.traits.plan': 'pro', 'analytics.message_id': 'identify-u-1' }, AT);
  // The facade's mark: its message travels as a log record, so it is never shipped from a span.
  checkout.addEvent('analytics.track', { 'analytics.message_id': 'marked', 'analytics.carrier': 'log_record' }, AT);
  checkout.end();
  const other = tracer.startSpan('GET /health');
  other.addEvent('app.ping');
  other.end();
  const ids = checkout.spanContext();
  return { provider, spans: finished.getFinishedSpans(), ids: { traceId: ids.traceId, spanId: ids.spanId } };
}

for (const gzip of [false, true]) {
  test(`protobuf${gzip ? ' + gzip' : ''}: the analytics span events of exported spans arrive by the convention, with the span's ids in context.otel`, async () => {
    const pipeline = await startBridgePipeline();
    const { provider, spans, ids } = recordSpans();
    try {
      assert.deepEqual(await exportSpans(pipeline.bridge.url, spans, { gzip }), { code: ExportResultCode.SUCCESS });
      await pipeline.ingest.waitForAccepted(2);

      const [track, identify] = pipeline.ingest.accepted;
      const library = SDK_LIBRARY;
      assert.ok(track !== undefined && identify !== undefined);
      const { messageId, ...trackRest } = track;
      assert.match(String(messageId), /^[0-9a-f]{32}$/, 'a derived messageId');
      assert.deepEqual(trackRest, {
        type: 'track',
        userId: 'u-1',
        event: 'Checkout Started',
        properties: { cart: { items: 3 }, currency: 'EUR', total: 99.5 },
        timestamp: AT.toISOString(),
        context: { library, otel: { ...ids, resource: DEFAULT_IDENTITY }, locale: 'de-DE' },
        writeKey: BRIDGE_WRITE_KEY,
      });
      assert.deepEqual(identify, {
        type: 'identify',
        userId: 'u-1',
        traits: { plan: 'pro' },
        messageId: 'identify-u-1',
        timestamp: AT.toISOString(),
        context: { library, otel: { ...ids, resource: DEFAULT_IDENTITY } },
        writeKey: BRIDGE_WRITE_KEY,
      });
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.equal(pipeline.ingest.accepted.length, 2, 'nothing else: not the mark, not the other events, not the other span');
      assert.deepEqual(pipeline.errors, []);
    } finally {
      await provider.shutdown();
      await pipeline.close();
    }
  });
}

test('the same span exported twice (a Collector re-send) gives the same messageIds downstream', async () => {
  const pipeline = await startBridgePipeline();
  const { provider, spans } = recordSpans();
  try {
    for (let i = 0; i < 2; i++) assert.deepEqual(await exportSpans(pipeline.bridge.url, spans), { code: ExportResultCode.SUCCESS });
    await pipeline.ingest.waitForAccepted(4);

    const ids = pipeline.ingest.accepted.map((message) => String(message.messageId));
    assert.deepEqual(ids.slice(2), ids.slice(0, 2));
    assert.equal(new Set(ids).size, 2);
  } finally {
    await provider.shutdown();
    await pipeline.close();
  }
});
