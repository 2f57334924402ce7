// On the OpenTelemetry JS 3.x line: a provider's shutdown() delivers the valid analytics events of a
// batch that also held an invalid one, and what a user's processor does to a record is what is sent.
// Run by scripts/test-matrix.sh beside the packed package.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Analytics, MetaRouterLogRecordExporter, MetaRouterSpanExporter, startSink } from 'metarouter-otel';

async function withSink(fn) {
  const sink = await startSink({ port: 0 });
  try {
    await fn(sink, { writeKey: 'otel3-key', host: sink.url, flushInterval: 60_000 });
  } finally {
    await sink.close();
  }
}

test('3.x TracerProvider.shutdown() with BatchSpanProcessor delivers the valid event of a span that also holds an invalid one', async () => {
  await withSink(async (sink, destination) => {
    const exporter = new MetaRouterSpanExporter(destination);
    const errors = [];
    exporter.on('error', (error) => errors.push(error));
    const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
    const span = provider.getTracer('checkout').startSpan('checkout');
    span.addEvent('analytics.track', { 'analytics.user_id': 'u1', 'analytics.event': 'Paid', 'analytics.message_id': 'valid-1' });
    span.addEvent('analytics.track', { 'analytics.user_id': 'u1' });
    span.addEvent('analytics.track', { 'analytics.user_id': 'u1', 'analytics.event': 'Late', 'analytics.message_id': 'bad-time' }, new Date('x'));
    span.end();

    await provider.shutdown();

    assert.deepEqual(sink.messages.map((message) => message.messageId), ['valid-1']);
    assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_INVALID_RECORD', 'MR_ERR_INVALID_RECORD']);
    assert.equal(errors[0].messageIds.length, 1, 'the report carries the id the event would have had');
    assert.deepEqual(errors[1].messageIds, ['bad-time']);
  });
});

test('3.x LoggerProvider.shutdown(): valid records delivered, invalid ones reported; a processor’s in-place redaction is what is sent', async () => {
  await withSink(async (sink, destination) => {
    const exporter = new MetaRouterLogRecordExporter(destination);
    const errors = [];
    exporter.on('error', (error) => errors.push(error));
    const redact = { onEmit: (record) => void delete record.body.properties?.card, forceFlush: async () => {}, shutdown: async () => {} };
    const provider = new LoggerProvider({ processors: [redact, new BatchLogRecordProcessor({ exporter })] });
    const analytics = new Analytics({ ...destination, loggerProvider: provider });
    const id = analytics.track({ userId: 'u1', event: 'Paid', properties: { card: '4111', plan: 'pro' } });
    provider.getLogger('app').emit({ eventName: 'analytics.track', body: { userId: 'u1', messageId: 'no-event' } });

    await provider.shutdown();

    assert.deepEqual(sink.messages.map((message) => [message.messageId, message.properties]), [[id, { plan: 'pro' }]]);
    assert.deepEqual(errors.map((error) => [error.code, error.messageIds]), [['MR_ERR_INVALID_RECORD', ['no-event']]]);
  });
});
