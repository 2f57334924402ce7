import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MetaRouterLogRecordExporter, MetaRouterSpanExporter, type DeliveryError, type MetaRouterError } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';
import { tracerProvider } from '../helpers/otel.js';

// Times an app can really pass: an invalid Date, and nanoseconds given where milliseconds belong.
const BAD_TIMES = [
  { name: 'an invalid Date', time: new Date('x') },
  { name: 'nanoseconds passed as milliseconds', time: Date.now() * 1e6 },
];

for (const { name, time } of BAD_TIMES) {
  test(`a log record with ${name} is reported with its messageId and the rest of the SDK's batch is delivered`, async () => {
    const server = await startIngestServer();
    const exporter = new MetaRouterLogRecordExporter({ writeKey: 'k', host: server.url });
    const errors: MetaRouterError[] = [];
    exporter.on('error', (error) => errors.push(error));
    const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 60_000 })] });
    try {
      const logger = provider.getLogger('app');
      const track = (messageId: string, timestamp?: Date | number) =>
        logger.emit({ eventName: 'analytics.track', timestamp, body: { userId: 'u1', event: 'Clicked', messageId } });
      track('a');
      track('bad', time);
      track('b');
      track('c');
      await provider.shutdown();

      assert.deepEqual(server.accepted.map((message) => message.messageId), ['a', 'b', 'c'], 'every valid record of the batch arrives');
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.code, 'MR_ERR_INVALID_RECORD');
      assert.deepEqual((errors[0] as DeliveryError).messageIds, ['bad'], 'the report names the bad record');
      assert.match(errors[0]!.message, /time/);
      assert.equal(exporter.counters.refused, 1);
    } finally {
      await provider.shutdown();
      await server.close();
    }
  });

  test(`a span event with ${name} is reported, and the span's other events and later spans are delivered`, async () => {
    const server = await startIngestServer();
    const exporter = new MetaRouterSpanExporter({ writeKey: 'k', host: server.url });
    const errors: MetaRouterError[] = [];
    exporter.on('error', (error) => errors.push(error));
    const { provider, tracer } = tracerProvider({ processors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 })] });
    try {
      const first = tracer.startSpan('first');
      const track = (messageId: string) => ({ 'analytics.user_id': 'u1', 'analytics.event': 'Clicked', 'analytics.message_id': messageId });
      first.addEvent('analytics.track', track('before'));
      first.addEvent('analytics.track', track('bad'), time);
      first.addEvent('analytics.track', track('after'));
      first.end();
      const later = tracer.startSpan('later');
      later.addEvent('analytics.track', track('later'));
      later.end();
      await provider.shutdown();

      assert.deepEqual(server.accepted.map((message) => message.messageId), ['before', 'after', 'later']);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.code, 'MR_ERR_INVALID_RECORD');
      assert.deepEqual((errors[0] as DeliveryError).messageIds, ['bad']);
      assert.match(errors[0]!.message, new RegExp(first.spanContext().spanId), 'the report names the span');
    } finally {
      await provider.shutdown();
      await server.close();
    }
  });
}

test('an item whose reading throws anyway (a hostile attributes object) costs only itself: export() does not throw, the rest is delivered', async () => {
  const server = await startIngestServer();
  const exporter = new MetaRouterLogRecordExporter({ writeKey: 'k', host: server.url });
  const errors: MetaRouterError[] = [];
  exporter.on('error', (error) => errors.push(error));
  const hostile = new Proxy({} as Record<string, unknown>, {
    ownKeys() {
      throw new Error('attributes cannot be listed');
    },
  });
  const record = (attributes: Record<string, unknown>, messageId: string) => ({
    hrTime: [1_700_000_000, 0] as [number, number],
    eventName: 'analytics.track',
    attributes,
    body: { userId: 'u1', event: 'Clicked', messageId },
  });
  try {
    const result = await new Promise<{ code: number }>((resolve) => exporter.export([record(hostile, 'hostile'), record({}, 'fine')], resolve));
    assert.equal(result.code, 0, 'SUCCESS');
    await exporter.forceFlush();
    assert.deepEqual(server.accepted.map((message) => message.messageId), ['fine']);
    assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_INVALID_RECORD']);
    assert.match(errors[0]!.message, /attributes cannot be listed/);
  } finally {
    await exporter.shutdown();
    await server.close();
  }
});
