import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Span } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Analytics, MetaRouterSpanExporter, type MetaRouterError } from '../../src/index.js';
import { LIBRARY } from '../../src/version.js';
import { startIngestServer } from '../helpers/ingest-server.js';
import { DEFAULT_IDENTITY, tracerProvider, useContextManager } from '../helpers/otel.js';

let removeContextManager: () => void;
before(() => {
  removeContextManager = useContextManager();
});
after(() => removeContextManager());

/** A tracer provider whose pipeline holds a MetaRouterSpanExporter, over a fresh ingestion server. */
async function spanPipeline() {
  const server = await startIngestServer();
  const exporter = new MetaRouterSpanExporter({ writeKey: 'k', host: server.url });
  const errors: MetaRouterError[] = [];
  exporter.on('error', (error) => errors.push(error));
  const { provider, tracer, finished } = tracerProvider({ processors: [new SimpleSpanProcessor(exporter)] });
  /** Records one span whose body is `record`, ends it, and returns its ids. */
  function span(name: string, record: (span: Span) => void): { traceId: string; spanId: string } {
    const started = tracer.startSpan(name);
    record(started);
    started.end();
    const { traceId, spanId } = started.spanContext();
    return { traceId, spanId };
  }
  return {
    server,
    exporter,
    errors,
    provider,
    tracer,
    finished,
    span,
    /** Messages that arrived from the given span, in order. */
    from(ids: { spanId: string }) {
      return server.accepted.filter((message) => ((message.context as Record<string, unknown>).otel as Record<string, unknown> | undefined)?.spanId === ids.spanId);
    },
    async close() {
      await provider.shutdown();
      await exporter.shutdown();
      await server.close();
    },
  };
}

function exportOnce(exporter: MetaRouterSpanExporter, span: ReadableSpan): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export([span], resolve));
}

test('a hand-recorded analytics.track span event (properties as JSON text) arrives, with the span’s ids in context.otel', async () => {
  const pipeline = await spanPipeline();
  try {
    const at = new Date('2026-02-03T04:05:06.789Z');
    const ids = pipeline.span('POST /signup', (span) => {
      span.addEvent(
        'analytics.track',
        { 'analytics.user_id': 'u1', 'analytics.event': 'Signed Up', 'analytics.properties': JSON.stringify({ plan: 'pro' }) },
        at,
      );
    });
    await pipeline.provider.forceFlush();

    const messages = pipeline.from(ids);
    assert.equal(messages.length, 1);
    const { messageId, ...rest } = messages[0]!;
    assert.equal(typeof messageId, 'string');
    assert.deepEqual(rest, {
      type: 'track',
      userId: 'u1',
      event: 'Signed Up',
      properties: { plan: 'pro' },
      timestamp: at.toISOString(),
      context: { library: { name: LIBRARY.name, version: LIBRARY.version }, otel: { ...ids, resource: DEFAULT_IDENTITY } },
      writeKey: 'k',
    });
    assert.equal(pipeline.server.requests[0]!.headers.authorization, `Basic ${Buffer.from('k:').toString('base64')}`);
    assert.deepEqual(pipeline.errors, []);
  } finally {
    await pipeline.close();
  }
});

test('flattened attributes (analytics.properties.plan, analytics.properties.address.city) arrive as nested properties', async () => {
  const pipeline = await spanPipeline();
  try {
    const ids = pipeline.span('flat', (span) => {
      span.addEvent('analytics.track', {
        'analytics.user_id': 'u2',
        'analytics.event': 'Flat',
        'analytics.properties.plan': 'pro',
        'analytics.properties.address.city': 'Paris',
        'analytics.properties.seats': 3,
        'analytics.properties.trial': false,
      });
    });
    await pipeline.provider.forceFlush();

    const messages = pipeline.from(ids);
    assert.equal(messages.length, 1);
    assert.deepEqual(messages[0]!.properties, { plan: 'pro', address: { city: 'Paris' }, seats: 3, trial: false });
    assert.equal(messages[0]!.event, 'Flat');
  } finally {
    await pipeline.close();
  }
});

test('identify, group, alias, page and screen span events arrive by their attributes', async () => {
  const pipeline = await spanPipeline();
  try {
    const ids = pipeline.span('all types', (span) => {
      span.addEvent('analytics.identify', {
        'analytics.user_id': 'u3',
        'analytics.traits.name': 'Arthur Dent',
        'analytics.traits.email': 'arthur@example.com',
        'analytics.traits.address.planet': 'Earth',
      });
      span.addEvent('analytics.group', {
        'analytics.user_id': 'u3',
        'analytics.group_id': 'g-1',
        'analytics.traits': JSON.stringify({ name: 'MetaRouter', employees: 50 }),
      });
      span.addEvent('analytics.alias', { 'analytics.previous_id': 'anon-9', 'analytics.user_id': 'u3' });
      span.addEvent('analytics.page', {
        'analytics.anonymous_id': 'anon-9',
        'analytics.name': 'Python',
        'analytics.category': 'Docs',
        'analytics.properties.url': 'http://metarouter.io',
      });
      span.addEvent('analytics.screen', { 'analytics.user_id': 'u3', 'analytics.name': 'Home' });
    });
    await pipeline.provider.forceFlush();

    const messages = pipeline.from(ids);
    assert.deepEqual(messages.map((message) => message.type), ['identify', 'group', 'alias', 'page', 'screen']);
    const strip = ({ messageId: _m, timestamp: _t, context: _c, writeKey: _w, ...fields }: Record<string, unknown>) => fields;
    assert.deepEqual(strip(messages[0]!), {
      type: 'identify',
      userId: 'u3',
      traits: { name: 'Arthur Dent', email: 'arthur@example.com', address: { planet: 'Earth' } },
    });
    assert.deepEqual(strip(messages[1]!), { type: 'group', userId: 'u3', groupId: 'g-1', traits: { name: 'MetaRouter', employees: 50 } });
    assert.deepEqual(strip(messages[2]!), { type: 'alias', userId: 'u3', previousId: 'anon-9' });
    assert.deepEqual(strip(messages[3]!), { type: 'page', anonymousId: 'anon-9', name: 'Python', category: 'Docs', properties: { url: 'http://metarouter.io' } });
    assert.deepEqual(strip(messages[4]!), { type: 'screen', userId: 'u3', name: 'Home' });
    assert.equal(new Set(messages.map((message) => message.messageId)).size, 5, 'each event has its own messageId');
  } finally {
    await pipeline.close();
  }
});

test('span events that are not analytics events are not shipped', async () => {
  const pipeline = await spanPipeline();
  try {
    const ids = pipeline.span('mixed', (span) => {
      span.recordException(new Error('boom'));
      span.addEvent('analytics.unknown', { 'analytics.user_id': 'u4', 'analytics.event': 'Nope' });
      span.addEvent('analytics', { 'analytics.user_id': 'u4', 'analytics.event': 'Nope' });
      span.addEvent('track', { 'analytics.user_id': 'u4', 'analytics.event': 'Nope' });
      span.addEvent('cache.miss', { 'analytics.user_id': 'u4' });
      span.addEvent('analytics.track', { 'analytics.user_id': 'u4', 'analytics.event': 'Yes' });
    });
    await pipeline.provider.forceFlush();

    assert.deepEqual(pipeline.server.accepted.map((message) => message.event), ['Yes'], 'only the analytics.track event');
    assert.equal(pipeline.from(ids).length, 1);
    assert.deepEqual(pipeline.errors, [], 'ignored events are not errors');
  } finally {
    await pipeline.close();
  }
});

test('the facade’s own span marks are not shipped a second time by the span exporter', async () => {
  const pipeline = await spanPipeline();
  const analytics = new Analytics({ writeKey: 'k', host: pipeline.server.url });
  try {
    const messageId = pipeline.tracer.startActiveSpan('request', (span) => {
      const id = analytics.track({ userId: 'u5', event: 'Once' });
      span.end();
      return id;
    });
    await analytics.closeAndFlush();
    await pipeline.provider.forceFlush();

    const [finished] = pipeline.finished.getFinishedSpans();
    assert.ok(finished);
    assert.equal(finished.events.filter((event) => event.name === 'analytics.track').length, 1, 'the span does carry the mark');
    assert.deepEqual(pipeline.server.accepted.map((message) => message.messageId), [messageId], 'the message arrives exactly once');
    assert.equal(pipeline.exporter.counters.accepted, 0, 'the span exporter took nothing');
    assert.deepEqual(pipeline.errors, []);
  } finally {
    await analytics.closeAndFlush();
    await pipeline.close();
  }
});

test('a span event without analytics.message_id gets a deterministic id: exporting the same span twice yields the same messageId', async () => {
  const server = await startIngestServer();
  const exporter = new MetaRouterSpanExporter({ writeKey: 'k', host: server.url });
  const { provider, tracer, finished } = tracerProvider();
  try {
    const span = tracer.startSpan('retried');
    span.addEvent('analytics.track', { 'analytics.user_id': 'u6', 'analytics.event': 'First' });
    span.addEvent('analytics.track', { 'analytics.user_id': 'u6', 'analytics.event': 'Second' });
    span.end();
    const [readable] = finished.getFinishedSpans();
    assert.ok(readable);

    assert.deepEqual(await exportOnce(exporter, readable), { code: ExportResultCode.SUCCESS });
    await exporter.forceFlush();
    assert.deepEqual(await exportOnce(exporter, readable), { code: ExportResultCode.SUCCESS });
    await exporter.forceFlush();

    assert.equal(server.requests.length, 2);
    const [first, second] = server.requests;
    assert.deepEqual(first!.body.batch.map((message) => message.event), ['First', 'Second']);
    assert.deepEqual(second!.messageIds, first!.messageIds, 'same messageIds on the second export');
    assert.notEqual(first!.messageIds[0], first!.messageIds[1], 'two events of one span get different ids');
    for (const id of first!.messageIds) assert.ok(id.length > 0 && id.length <= 100);
  } finally {
    await provider.shutdown();
    await exporter.shutdown();
    await server.close();
  }
});

test('an analytics.message_id attribute is kept as the messageId', async () => {
  const pipeline = await spanPipeline();
  try {
    const ids = pipeline.span('keyed', (span) => {
      span.addEvent('analytics.track', { 'analytics.user_id': 'u7', 'analytics.event': 'Keyed', 'analytics.message_id': 'order-7-paid' });
    });
    await pipeline.provider.forceFlush();
    assert.deepEqual(pipeline.from(ids).map((message) => message.messageId), ['order-7-paid']);
  } finally {
    await pipeline.close();
  }
});

test('invalid analytics span events are reported as MR_ERR_INVALID_RECORD and the rest of the span’s events still ship', async () => {
  const pipeline = await spanPipeline();
  try {
    const ids = pipeline.span('partly bad', (span) => {
      span.addEvent('analytics.identify', { 'analytics.user_id': 'u8', 'analytics.message_id': 'ok-1' });
      span.addEvent('analytics.track', { 'analytics.user_id': 'u8' });
      span.addEvent('analytics.track', { 'analytics.user_id': 'u8', 'analytics.event': 'Bad JSON', 'analytics.properties': '{not json' });
      span.addEvent('analytics.track', { 'analytics.user_id': 'u8', 'analytics.event': 'Fine', 'analytics.message_id': 'ok-2' });
    });
    await pipeline.provider.forceFlush();

    assert.deepEqual(pipeline.from(ids).map((message) => message.messageId), ['ok-1', 'ok-2'], 'the valid events ship');
    assert.deepEqual(pipeline.errors.map((error) => error.code), ['MR_ERR_INVALID_RECORD', 'MR_ERR_INVALID_RECORD']);
    assert.match(pipeline.errors[0]!.message, /event/);
    assert.match(pipeline.errors[1]!.message, /properties/);
    assert.equal(pipeline.exporter.counters.refused, 2);
  } finally {
    await pipeline.close();
  }
});

test('a flattened __proto__ key does not pollute Object.prototype', async () => {
  const pipeline = await spanPipeline();
  try {
    const ids = pipeline.span('hostile', (span) => {
      span.addEvent('analytics.track', {
        'analytics.user_id': 'u9',
        'analytics.event': 'Hostile',
        'analytics.properties.__proto__.polluted': 'yes',
        'analytics.properties.constructor.prototype.polluted2': 'yes',
        'analytics.traits.__proto__': 'yes',
        'analytics.properties.plan': 'pro',
      });
    });
    await pipeline.provider.forceFlush();

    assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
    assert.equal((Object.prototype as Record<string, unknown>).polluted2, undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const messages = pipeline.from(ids);
    assert.equal(messages.length, 1, 'the event still ships');
    assert.equal((messages[0]!.properties as Record<string, unknown>).plan, 'pro');
  } finally {
    delete (Object.prototype as Record<string, unknown>).polluted;
    delete (Object.prototype as Record<string, unknown>).polluted2;
    await pipeline.close();
  }
});
