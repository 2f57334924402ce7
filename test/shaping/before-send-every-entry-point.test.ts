import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordProcessor, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  Analytics,
  ConfigurationError,
  MetaRouterLogRecordExporter,
  MetaRouterSpanExporter,
  startBridge,
  type BeforeSend,
  type DeliveryError,
  type MetaRouterError,
  type SegmentMessage,
} from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';
import { tracerProvider } from '../helpers/otel.js';
import { jsonAttributes, jsonLogsRequest, post, startBridgePipeline } from '../helpers/otlp-bridge.js';

const redactCard: BeforeSend = (message) => {
  delete (message.properties as Record<string, unknown> | undefined)?.card;
  return message;
};

test('Analytics with a loggerProvider: the hook runs at the call and the record carries what it returned', async () => {
  const server = await startIngestServer();
  const exporter = new MetaRouterLogRecordExporter({ writeKey: 'k', host: server.url });
  const bodies: unknown[] = [];
  const watch: LogRecordProcessor = { onEmit: (record: SdkLogRecord) => void bodies.push(structuredClone(record.body)), forceFlush: async () => {}, shutdown: async () => {} };
  const provider = new LoggerProvider({ processors: [watch, new BatchLogRecordProcessor({ exporter })] });
  const analytics = new Analytics({ writeKey: 'k', host: server.url, loggerProvider: provider, beforeSend: [redactCard, (message) => (message.event === 'Noise' ? null : message)] });
  try {
    const id = analytics.track({ userId: 'u1', event: 'Paid', properties: { card: '4111', plan: 'pro' } });
    analytics.track({ userId: 'u1', event: 'Noise' });
    await provider.shutdown();
    assert.equal(bodies.length, 1, 'the dropped call never became a record');
    assert.deepEqual((bodies[0] as SegmentMessage).properties, { plan: 'pro' }, 'the other exporters of the pipeline see the redacted message too');
    assert.deepEqual(server.accepted.map((message) => [message.messageId, message.properties]), [[id, { plan: 'pro' }]]);
  } finally {
    await analytics.closeAndFlush();
    await server.close();
  }
});

test('MetaRouterLogRecordExporter: its hook shapes what the user’s pipeline made of each record', async () => {
  const server = await startIngestServer();
  const seen: SegmentMessage[] = [];
  const exporter = new MetaRouterLogRecordExporter({
    writeKey: 'k',
    host: server.url,
    beforeSend: (message) => {
      seen.push(structuredClone(message));
      return redactCard(message);
    },
  });
  const addVersion: LogRecordProcessor = { onEmit: (record: SdkLogRecord) => void record.setAttribute('analytics.context.app.version', '1.2.3'), forceFlush: async () => {}, shutdown: async () => {} };
  const provider = new LoggerProvider({ processors: [addVersion, new BatchLogRecordProcessor({ exporter })] });
  try {
    provider.getLogger('app').emit({ eventName: 'analytics.track', body: { userId: 'u1', event: 'Paid', messageId: 'm-1', properties: { card: '4111' } } });
    await provider.shutdown();
    assert.deepEqual(seen[0]!.context.app, { version: '1.2.3' }, 'the hook sees the processor’s enrichment');
    assert.deepEqual(server.accepted.map((message) => message.properties), [{}]);
  } finally {
    await server.close();
  }
});

test('MetaRouterSpanExporter: its hook shapes span events; a dropped one is counted, a failing one reported by messageId', async () => {
  const server = await startIngestServer();
  const exporter = new MetaRouterSpanExporter({
    writeKey: 'k',
    host: server.url,
    beforeSend: (message) => {
      if (message.event === 'Noise') return null;
      if (message.event === 'Crash') throw new Error('hook bug');
      return redactCard(message);
    },
  });
  const errors: MetaRouterError[] = [];
  exporter.on('error', (error) => errors.push(error));
  const { provider, tracer } = tracerProvider({ processors: [new BatchSpanProcessor(exporter)] });
  try {
    const span = tracer.startSpan('checkout');
    const track = (event: string, id: string) => ({ 'analytics.user_id': 'u1', 'analytics.event': event, 'analytics.message_id': id, 'analytics.properties.card': '4111' });
    span.addEvent('analytics.track', track('Paid', 'paid'));
    span.addEvent('analytics.track', track('Noise', 'noise'));
    span.addEvent('analytics.track', track('Crash', 'crash'));
    span.end();
    await provider.shutdown();
    assert.deepEqual(server.accepted.map((message) => [message.messageId, message.properties]), [['paid', {}]]);
    assert.equal(exporter.counters.filtered, 1);
    assert.deepEqual(errors.map((error) => [error.code, (error as DeliveryError).messageIds]), [['MR_ERR_BEFORE_SEND_FAILED', ['crash']]]);
  } finally {
    await server.close();
  }
});

test('startBridge: its hook redacts and enriches every event the fleet sends', async () => {
  const pipeline = await startBridgePipeline({
    beforeSend: (message) => ({ ...redactCard(message)!, context: { ...message.context, region: 'eu-west-1' } }),
  });
  try {
    const record = { eventName: 'analytics.track', timeUnixNano: '1700000000000000000', attributes: jsonAttributes({ 'analytics.user_id': 'u1', 'analytics.event': 'Paid', 'analytics.message_id': 'from-go', 'analytics.properties.card': '4111', 'analytics.properties.plan': 'pro' }) };
    const answer = await post(pipeline.url('/v1/logs'), jsonLogsRequest([record]));
    assert.equal(answer.status, 200);
    await pipeline.ingest.waitForAccepted(1);
    const [message] = pipeline.ingest.accepted;
    assert.equal(message!.messageId, 'from-go');
    assert.deepEqual(message!.properties, { plan: 'pro' });
    assert.equal((message!.context as Record<string, unknown>).region, 'eu-west-1');
  } finally {
    await pipeline.close();
  }
});

for (const [what, value, option] of [
  ['a string', 'redact', 'beforeSend'],
  ['an object', { run: () => null }, 'beforeSend'],
  ['a list holding a non-function', [(message: SegmentMessage) => message, 42], 'beforeSend[1]'],
] as const) {
  test(`beforeSend as ${what} is a ConfigurationError naming the option, at construction of every entry point`, async () => {
    const options = { writeKey: 'k', host: 'http://127.0.0.1:9', beforeSend: value as unknown as BeforeSend };
    const check = (error: unknown) => error instanceof ConfigurationError && error.option === option && error.code === 'MR_ERR_INVALID_OPTION';
    assert.throws(() => new Analytics(options), check);
    assert.throws(() => new MetaRouterLogRecordExporter(options), check);
    assert.throws(() => new MetaRouterSpanExporter(options), check);
    await assert.rejects(startBridge({ ...options, port: 0 }), check);
  });
}
