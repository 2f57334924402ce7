import { DEFAULT_IDENTITY } from '../helpers/otel.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchLogRecordProcessor, InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { Analytics, MetaRouterLogRecordExporter, type MetaRouterError } from '../../src/index.js';
import { LIBRARY } from '../../src/version.js';
import { startIngestServer } from '../helpers/ingest-server.js';

/**
 * A user's own logs pipeline: a batching processor around our exporter, and an in-memory exporter
 * standing for whatever else the user ships logs to. The facade emits into it.
 */
async function userPipeline(batch: { scheduledDelayMillis?: number; flushInterval?: number } = {}) {
  const server = await startIngestServer();
  const inMemory = new InMemoryLogRecordExporter();
  const exporter = new MetaRouterLogRecordExporter({ writeKey: 'k', host: server.url, flushInterval: batch.flushInterval });
  const errors: MetaRouterError[] = [];
  exporter.on('error', (error) => errors.push(error));
  const provider = new LoggerProvider({
    processors: [
      new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: batch.scheduledDelayMillis }),
      new SimpleLogRecordProcessor({ exporter: inMemory }),
    ],
  });
  const analytics = new Analytics({ writeKey: 'k', host: server.url, loggerProvider: provider });
  return {
    server,
    inMemory,
    exporter,
    errors,
    provider,
    analytics,
    async close() {
      await analytics.closeAndFlush();
      await provider.shutdown();
      await server.close();
    },
  };
}

test('facade calls made through the user’s logs pipeline arrive once each', async () => {
  const pipeline = await userPipeline();
  const { analytics, server } = pipeline;
  try {
    const ids = [
      analytics.identify({ userId: 'u1', traits: { name: 'Arthur Dent' } }),
      analytics.track({ userId: 'u1', event: 'Signed Up', properties: { plan: 'pro' } }),
      analytics.page({ userId: 'u1', category: 'Docs', name: 'Python' }),
      analytics.screen({ userId: 'u1', name: 'Home' }),
      analytics.group({ userId: 'u1', groupId: 'g1' }),
      analytics.alias({ previousId: 'anon-1', userId: 'u1' }),
    ];
    await analytics.flush();

    assert.deepEqual(server.accepted.map((message) => message.messageId), ids, 'each call arrives, once, in order');
    assert.deepEqual(server.accepted.map((message) => message.type), ['identify', 'track', 'page', 'screen', 'group', 'alias']);
    const track = server.accepted[1]!;
    assert.equal(track.event, 'Signed Up');
    assert.deepEqual(track.properties, { plan: 'pro' });
    assert.equal(track.writeKey, 'k');
    assert.deepEqual((track.context as Record<string, unknown>).library, { name: LIBRARY.name, version: LIBRARY.version });
    assert.deepEqual(pipeline.errors, []);
  } finally {
    await pipeline.close();
  }
});

test('log records without an analytics.* event name, emitted by the user’s own logger, are not shipped', async () => {
  const pipeline = await userPipeline();
  const { analytics, server, provider, inMemory } = pipeline;
  try {
    const logger = provider.getLogger('app');
    logger.emit({ body: 'hello' });
    logger.emit({ eventName: 'app.other', body: { userId: 'u1', event: 'Looks Like Analytics' } });
    logger.emit({ body: { userId: 'u1', event: 'No Event Name' }, attributes: { 'analytics.user_id': 'u1', 'analytics.event': 'Attr Only' } });
    const id = analytics.track({ userId: 'u1', event: 'Real' });
    await analytics.flush();

    assert.equal(inMemory.getFinishedLogRecords().length, 4, 'all four records went through the user’s pipeline');
    assert.deepEqual(server.accepted.map((message) => message.messageId), [id], 'only the analytics call was shipped');
    assert.deepEqual(pipeline.errors, [], 'ignored records are not errors');
  } finally {
    await pipeline.close();
  }
});

test('a hand-emitted analytics.track record with a Segment-shaped body is shipped with those fields', async () => {
  const pipeline = await userPipeline();
  const { analytics, server, provider } = pipeline;
  try {
    const at = new Date('2026-05-06T07:08:09.123Z');
    provider.getLogger('app').emit({
      eventName: 'analytics.track',
      timestamp: at,
      body: { userId: 'u-hand', event: 'Hand Made', properties: { plan: 'pro', seats: 3, nested: { ok: true } } },
    });
    await analytics.flush();

    assert.equal(server.accepted.length, 1);
    const { messageId, context, ...rest } = server.accepted[0]!;
    assert.equal(typeof messageId, 'string');
    assert.ok(String(messageId).length > 0 && String(messageId).length <= 100);
    assert.deepEqual(rest, {
      type: 'track',
      userId: 'u-hand',
      event: 'Hand Made',
      properties: { plan: 'pro', seats: 3, nested: { ok: true } },
      timestamp: at.toISOString(),
      writeKey: 'k',
    });
    assert.deepEqual(context, { library: { name: LIBRARY.name, version: LIBRARY.version }, otel: { resource: DEFAULT_IDENTITY } });
  } finally {
    await pipeline.close();
  }
});

test('a hand-emitted analytics.track record with only convention attributes is shipped', async () => {
  const pipeline = await userPipeline();
  const { analytics, server, provider } = pipeline;
  try {
    provider.getLogger('app').emit({
      eventName: 'analytics.track',
      attributes: {
        'analytics.user_id': 'u-attr',
        'analytics.event': 'From Attributes',
        'analytics.properties': JSON.stringify({ plan: 'team', tags: ['a', 'b'] }),
        'analytics.message_id': 'attr-msg-1',
      },
    });
    await analytics.flush();

    assert.equal(server.accepted.length, 1);
    const message = server.accepted[0]!;
    assert.equal(message.type, 'track');
    assert.equal(message.userId, 'u-attr');
    assert.equal(message.event, 'From Attributes');
    assert.deepEqual(message.properties, { plan: 'team', tags: ['a', 'b'] });
    assert.equal(message.messageId, 'attr-msg-1');
  } finally {
    await pipeline.close();
  }
});

test('the user’s other exporters see a body map holding the message, snapshotted at the call like the delivered message', async () => {
  const pipeline = await userPipeline();
  const { analytics, server, inMemory } = pipeline;
  try {
    const properties: Record<string, unknown> = { plan: 'pro', address: { city: 'Paris' } };
    const id = analytics.track({ userId: 'u-snap', event: 'Snapshot', properties });
    properties.plan = 'changed';
    (properties.address as Record<string, unknown>).city = 'Berlin';
    properties.added = true;
    await analytics.flush();

    const records = inMemory.getFinishedLogRecords();
    assert.equal(records.length, 1);
    const [record] = records;
    assert.equal(record!.eventName, 'analytics.track');
    const body = record!.body as Record<string, unknown>;
    assert.equal(body.type, 'track');
    assert.equal(body.messageId, id);
    assert.equal(body.userId, 'u-snap');
    assert.equal(body.event, 'Snapshot');
    assert.equal(typeof body.timestamp, 'string');
    assert.deepEqual(body.properties, { plan: 'pro', address: { city: 'Paris' } }, 'in-memory body has the values of the call');

    assert.equal(server.accepted.length, 1);
    assert.equal(server.accepted[0]!.messageId, id);
    assert.deepEqual(server.accepted[0]!.properties, { plan: 'pro', address: { city: 'Paris' } }, 'delivered message has the values of the call');
    assert.equal(server.accepted[0]!.timestamp, body.timestamp);
  } finally {
    await pipeline.close();
  }
});

test('analytics.flush() forces the user’s provider to deliver what its batching processor holds', async () => {
  // Neither the processor's timer nor the exporter's interval would send within this test.
  const pipeline = await userPipeline({ scheduledDelayMillis: 60_000, flushInterval: 60_000 });
  const { analytics, server } = pipeline;
  try {
    const id = analytics.track({ userId: 'u-flush', event: 'Flushed' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(server.requests.length, 0, 'nothing sent before flush');

    await analytics.flush();
    assert.deepEqual(server.accepted.map((message) => message.messageId), [id], 'delivered by the time flush() resolves');
    assert.equal(pipeline.exporter.counters.delivered, 1);
  } finally {
    await pipeline.close();
  }
});

test('an invalid hand-emitted analytics.track record (no event) is reported as MR_ERR_INVALID_RECORD and not sent', async () => {
  const pipeline = await userPipeline();
  const { analytics, server, provider, errors } = pipeline;
  try {
    provider.getLogger('app').emit({ eventName: 'analytics.track', body: { userId: 'u-bad', properties: { plan: 'pro' } } });
    const good = analytics.track({ userId: 'u-good', event: 'Fine' });
    await analytics.flush();

    assert.deepEqual(server.accepted.map((message) => message.messageId), [good], 'only the valid record is sent');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'MR_ERR_INVALID_RECORD');
    assert.match(errors[0]!.message, /event/);
    assert.equal(pipeline.exporter.counters.refused, 1);
  } finally {
    await pipeline.close();
  }
});
