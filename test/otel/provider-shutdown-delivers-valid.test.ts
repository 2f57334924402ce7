import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MetaRouterLogRecordExporter, MetaRouterSpanExporter, type DeliveryError, type MetaRouterError } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';
import { tracerProvider } from '../helpers/otel.js';

// The usual ending of a traced app is `provider.shutdown().then(() => process.exit())`: what the
// exporter accepted must be delivered by then, even when the same batch held an invalid event.
// flushInterval is long, so that only our exporter's shutdown() can send the valid message.

test('tracerProvider.shutdown() with BatchSpanProcessor delivers the valid event of a span that also holds an invalid one', async () => {
  const server = await startIngestServer();
  const exporter = new MetaRouterSpanExporter({ writeKey: 'k', host: server.url, flushInterval: 60_000 });
  const errors: MetaRouterError[] = [];
  exporter.on('error', (error) => errors.push(error));
  const { provider, tracer } = tracerProvider({ processors: [new BatchSpanProcessor(exporter)] });
  try {
    const span = tracer.startSpan('checkout');
    span.addEvent('analytics.track', { 'analytics.user_id': 'u1', 'analytics.event': 'Paid', 'analytics.message_id': 'valid-1' });
    span.addEvent('analytics.track', { 'analytics.user_id': 'u1' });
    span.end();

    await provider.shutdown();

    assert.deepEqual(server.accepted.map((message) => message.messageId), ['valid-1'], 'delivered before shutdown() resolved');
    assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_INVALID_RECORD']);
    const [id] = (errors[0] as DeliveryError).messageIds;
    assert.ok(id !== undefined && id.length > 0, 'the report carries the messageId the event would have had');
    assert.match(errors[0]!.message, new RegExp(`#1 of span ${span.spanContext().spanId}`));
  } finally {
    await exporter.shutdown();
    await server.close();
  }
});

test('loggerProvider.shutdown() with BatchLogRecordProcessor delivers the valid record of a batch that also holds an invalid one', async () => {
  const server = await startIngestServer();
  const exporter = new MetaRouterLogRecordExporter({ writeKey: 'k', host: server.url, flushInterval: 60_000 });
  const errors: MetaRouterError[] = [];
  exporter.on('error', (error) => errors.push(error));
  const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter })] });
  try {
    const logger = provider.getLogger('app');
    logger.emit({ eventName: 'analytics.track', body: { userId: 'u1', event: 'Paid', messageId: 'valid-1' } });
    logger.emit({ eventName: 'analytics.track', body: { userId: 'u1', messageId: 'no-event' } });

    await provider.shutdown();

    assert.deepEqual(server.accepted.map((message) => message.messageId), ['valid-1'], 'delivered before shutdown() resolved');
    assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_INVALID_RECORD']);
    assert.deepEqual((errors[0] as DeliveryError).messageIds, ['no-event']);
  } finally {
    await exporter.shutdown();
    await server.close();
  }
});
