import assert from 'node:assert/strict';
import { test } from 'node:test';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { ExportResultCode } from '../../src/otel/otel-compat.js';
import { DEFAULT_IDENTITY, SDK_LIBRARY } from '../helpers/otel.js';
import { BRIDGE_WRITE_KEY, startBridgePipeline } from '../helpers/otlp-bridge.js';
import { exportLogs, recordingLogger, type Protocol } from '../helpers/otlp-clients.js';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const LIBRARY_CONTEXT = SDK_LIBRARY;
const OTEL = { resource: DEFAULT_IDENTITY };
const AT = new Date('2026-03-04T05:06:07.089Z');

/** Every form of analytics log record the bridge reads, emitted through the real SDK. */
function emitAll(): ReturnType<typeof recordingLogger> {
  const recording = recordingLogger();
  const { logger } = recording;
  const inSpan = trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
  // 1. Every attribute of the convention, in a span.
  logger.emit({
    eventName: 'analytics.track',
    timestamp: AT,
    context: inSpan,
    attributes: {
      'analytics.user_id': 'u-1',
      'analytics.anonymous_id': 'anon-1',
      'analytics.event': 'Order Completed',
      'analytics.message_id': 'order-1-completed',
      'analytics.timestamp': '2026-01-02T03:04:05.678Z',
      'analytics.properties': JSON.stringify({ total: 42.5, items: [{ sku: 'A', quantity: 2 }] }),
      'analytics.properties.coupon': 'SPRING',
      'analytics.properties.address.city': 'Paris',
      'analytics.context': JSON.stringify({ ip: '203.0.113.9', locale: 'fr-FR' }),
      'analytics.integrations': JSON.stringify({ All: true, Mixpanel: false }),
    },
  });
  // 2. The other call types by their attributes; traits as a map attribute.
  logger.emit({ eventName: 'analytics.page', timestamp: AT, attributes: { 'analytics.anonymous_id': 'anon-2', 'analytics.name': 'Pricing', 'analytics.category': 'Docs', 'analytics.properties.url': 'https://example.com/pricing' } });
  logger.emit({ eventName: 'analytics.group', timestamp: AT, attributes: { 'analytics.user_id': 'u-2', 'analytics.group_id': 'g-1', 'analytics.traits': { name: 'MetaRouter', employees: 50 } } });
  logger.emit({ eventName: 'analytics.alias', timestamp: AT, attributes: { 'analytics.previous_id': 'anon-2', 'analytics.user_id': 'u-2' } });
  // 3. A Segment-shaped body map, with nested maps, arrays, integers and booleans.
  logger.emit({
    eventName: 'analytics.identify',
    timestamp: AT,
    body: { userId: 'u-3', messageId: 'identify-u-3', traits: { name: 'Arthur Dent', friends: 100, tags: ['a', 'b'], address: { planet: 'Earth' }, verified: true } },
  });
  // 4. The event name as the `event.name` attribute (SDKs without LogRecord.event_name).
  logger.emit({ timestamp: AT, attributes: { 'event.name': 'analytics.screen', 'analytics.user_id': 'u-4', 'analytics.name': 'Home' } });
  // 5. Not analytics: passed over silently.
  logger.emit({ eventName: 'app.started', body: 'hello', attributes: { 'analytics.user_id': 'nobody' } });
  logger.emit({ body: 'a plain log line' });
  return recording;
}

const EXPECTED = [
  {
    type: 'track',
    userId: 'u-1',
    anonymousId: 'anon-1',
    event: 'Order Completed',
    properties: { total: 42.5, items: [{ sku: 'A', quantity: 2 }], coupon: 'SPRING', address: { city: 'Paris' } },
    integrations: { All: true, Mixpanel: false },
    messageId: 'order-1-completed',
    timestamp: '2026-01-02T03:04:05.678Z',
    context: { library: LIBRARY_CONTEXT, otel: { traceId: TRACE_ID, spanId: SPAN_ID, resource: DEFAULT_IDENTITY }, ip: '203.0.113.9', locale: 'fr-FR' },
    writeKey: BRIDGE_WRITE_KEY,
  },
  { type: 'page', anonymousId: 'anon-2', name: 'Pricing', category: 'Docs', properties: { url: 'https://example.com/pricing' }, timestamp: AT.toISOString(), context: { library: LIBRARY_CONTEXT, otel: OTEL }, writeKey: BRIDGE_WRITE_KEY },
  { type: 'group', userId: 'u-2', groupId: 'g-1', traits: { name: 'MetaRouter', employees: 50 }, timestamp: AT.toISOString(), context: { library: LIBRARY_CONTEXT, otel: OTEL }, writeKey: BRIDGE_WRITE_KEY },
  { type: 'alias', userId: 'u-2', previousId: 'anon-2', timestamp: AT.toISOString(), context: { library: LIBRARY_CONTEXT, otel: OTEL }, writeKey: BRIDGE_WRITE_KEY },
  {
    type: 'identify',
    userId: 'u-3',
    traits: { name: 'Arthur Dent', friends: 100, tags: ['a', 'b'], address: { planet: 'Earth' }, verified: true },
    messageId: 'identify-u-3',
    timestamp: AT.toISOString(),
    context: { library: LIBRARY_CONTEXT, otel: OTEL },
    writeKey: BRIDGE_WRITE_KEY,
  },
  { type: 'screen', userId: 'u-4', name: 'Home', timestamp: AT.toISOString(), context: { library: LIBRARY_CONTEXT, otel: OTEL }, writeKey: BRIDGE_WRITE_KEY },
];

/** The message without its derived messageId, for the records that carry none. */
function withoutDerivedId(message: Record<string, unknown>, expected: Record<string, unknown>): Record<string, unknown> {
  if ('messageId' in expected) return message;
  const { messageId: _derived, ...rest } = message;
  return rest;
}

for (const protocol of ['protobuf', 'json'] as Protocol[]) {
  for (const gzip of [false, true]) {
    test(`${protocol}${gzip ? ' + gzip' : ''}: every analytics log record arrives as the convention says, with context.otel from the record's ids; other records are passed over`, async () => {
      const pipeline = await startBridgePipeline();
      const recording = emitAll();
      try {
        const result = await exportLogs(pipeline.bridge.url, protocol, recording.records(), { gzip });
        assert.deepEqual(result, { code: ExportResultCode.SUCCESS });
        await pipeline.ingest.waitForAccepted(EXPECTED.length);

        const arrived = pipeline.ingest.accepted;
        assert.equal(arrived.length, EXPECTED.length, 'the two non-analytics records are not shipped');
        arrived.forEach((message, index) => assert.deepEqual(withoutDerivedId(message, EXPECTED[index]!), EXPECTED[index], `message ${index}`));
        for (const message of arrived) assert.match(String(message.messageId), /^[\w-]{1,100}$/);
        assert.equal(pipeline.ingest.requests[0]!.headers.authorization, `Basic ${Buffer.from(`${BRIDGE_WRITE_KEY}:`).toString('base64')}`);
        assert.deepEqual(pipeline.errors, [], 'nothing reported: records that are not analytics are not errors');
        const { requests, queued, rejected, throttled } = pipeline.bridge.counters;
        assert.deepEqual({ requests, queued, rejected, throttled }, { requests: 1, queued: EXPECTED.length, rejected: 0, throttled: 0 });
      } finally {
        await recording.shutdown();
        await pipeline.close();
      }
    });
  }
}

test('a log record without a messageId gets the same derived one each time the same export is sent, over protobuf and over JSON alike', async () => {
  const pipeline = await startBridgePipeline();
  const recording = recordingLogger();
  try {
    recording.logger.emit({ eventName: 'analytics.track', timestamp: AT, attributes: { 'analytics.user_id': 'u-5', 'analytics.event': 'Resent' } });
    recording.logger.emit({ eventName: 'analytics.track', timestamp: AT, attributes: { 'analytics.user_id': 'u-5', 'analytics.event': 'Resent Too' } });
    const records = recording.records();
    for (const protocol of ['protobuf', 'protobuf', 'json'] as Protocol[]) {
      assert.deepEqual(await exportLogs(pipeline.bridge.url, protocol, records), { code: ExportResultCode.SUCCESS });
    }
    await pipeline.ingest.waitForAccepted(6);

    const ids = pipeline.ingest.accepted.map((message) => String(message.messageId));
    assert.deepEqual(ids.slice(2, 4), ids.slice(0, 2), 'a re-sent export yields the same messageIds');
    assert.deepEqual(ids.slice(4, 6), ids.slice(0, 2), 'the same records sent as OTLP JSON yield them too');
    assert.notEqual(ids[0], ids[1], 'two records get two ids');
  } finally {
    await recording.shutdown();
    await pipeline.close();
  }
});
