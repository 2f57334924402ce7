import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Context } from '@opentelemetry/api';
import { BatchLogRecordProcessor, LoggerProvider, SimpleLogRecordProcessor, type LogRecordProcessor, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor, SimpleSpanProcessor, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Analytics, MetaRouterLogRecordExporter, MetaRouterSpanExporter, type DeliveryError, type MetaRouterError } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';
import { tracerProvider, useContextManager } from '../helpers/otel.js';

let removeContextManager: () => void;
before(() => {
  removeContextManager = useContextManager();
});
after(() => removeContextManager());

type Body = Record<string, Record<string, unknown>>;

/** A user's LogRecordProcessor that only edits records in onEmit, as redaction and enrichment processors do. */
function editing(edit: (record: SdkLogRecord) => void): LogRecordProcessor {
  return {
    onEmit: (record: SdkLogRecord, _context?: Context) => edit(record),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}

const PROCESSORS = {
  Simple: (exporter: MetaRouterLogRecordExporter) => new SimpleLogRecordProcessor({ exporter }),
  Batch: (exporter: MetaRouterLogRecordExporter) => new BatchLogRecordProcessor({ exporter }),
};

/** The facade emitting into a user's LoggerProvider: the user's editing processor, then ours. */
async function withUserPipeline(
  kind: keyof typeof PROCESSORS,
  edit: (record: SdkLogRecord) => void,
  body: (analytics: Analytics) => void,
): Promise<{ accepted: Record<string, unknown>[]; errors: MetaRouterError[] }> {
  const server = await startIngestServer();
  const exporter = new MetaRouterLogRecordExporter({ writeKey: 'k', host: server.url });
  const errors: MetaRouterError[] = [];
  exporter.on('error', (error) => errors.push(error));
  const provider = new LoggerProvider({ processors: [editing(edit), PROCESSORS[kind](exporter)] });
  const analytics = new Analytics({ writeKey: 'k', host: server.url, loggerProvider: provider });
  analytics.on('error', (error) => errors.push(error));
  try {
    body(analytics);
    await provider.shutdown();
    return { accepted: server.accepted, errors };
  } finally {
    await analytics.closeAndFlush();
    await server.close();
  }
}

const call = (analytics: Analytics) =>
  analytics.track({
    userId: 'u1',
    event: 'Paid',
    properties: { plan: 'pro', card: '4111 1111 1111 1111', items: { count: 2 } },
    context: { ip: '203.0.113.7', traits: { email: 'arthur@example.com' } },
    messageId: 'm-1',
  });

for (const kind of Object.keys(PROCESSORS) as (keyof typeof PROCESSORS)[]) {
  test(`${kind}LogRecordProcessor: a body replaced by a processor is what is sent`, async () => {
    const { accepted, errors } = await withUserPipeline(
      kind,
      (record) => {
        const body = record.body as Body;
        record.setBody({ ...body, properties: { ...body.properties, card: '[redacted]' } });
      },
      call,
    );
    assert.deepEqual(errors, []);
    assert.equal(accepted.length, 1);
    assert.deepEqual(accepted[0]!.properties, { plan: 'pro', card: '[redacted]', items: { count: 2 } });
  });

  test(`${kind}LogRecordProcessor: a field deleted in place from a nested map is not sent`, async () => {
    const { accepted } = await withUserPipeline(kind, (record) => void delete (record.body as Body).properties!.card, call);
    assert.deepEqual(accepted[0]!.properties, { plan: 'pro', items: { count: 2 } }, 'the card number never leaves');
  });

  test(`${kind}LogRecordProcessor: nested maps edited in place are sent as edited`, async () => {
    const { accepted } = await withUserPipeline(
      kind,
      (record) => {
        const body = record.body as Body;
        (body.properties!.items as Record<string, unknown>).count = 3;
        (body.context!.traits as Record<string, unknown>).email = 'hashed';
        body.properties!.added = true;
      },
      call,
    );
    assert.deepEqual(accepted[0]!.properties, { plan: 'pro', card: '4111 1111 1111 1111', items: { count: 3 }, added: true });
    assert.deepEqual((accepted[0]!.context as Record<string, unknown>).traits, { email: 'hashed' });
  });

  test(`${kind}LogRecordProcessor: fields added by convention attributes, flattened and as JSON text, merge into the body's`, async () => {
    const { accepted } = await withUserPipeline(
      kind,
      (record) => {
        record.setAttribute('analytics.context.app.version', '1.2.3');
        record.setAttribute('analytics.context', JSON.stringify({ app: { build: '42' }, locale: 'en-GB' }));
        record.setAttribute('analytics.properties.source', 'checkout');
      },
      call,
    );
    const context = accepted[0]!.context as Record<string, unknown>;
    assert.deepEqual(context.app, { version: '1.2.3', build: '42' });
    assert.equal(context.locale, 'en-GB');
    assert.equal(context.ip, '203.0.113.7', 'the body’s own context is kept');
    assert.deepEqual(accepted[0]!.properties, { plan: 'pro', card: '4111 1111 1111 1111', items: { count: 2 }, source: 'checkout' });
  });

  test(`${kind}LogRecordProcessor: a record renamed to a non-analytics event is not ours to send`, async () => {
    const { accepted, errors } = await withUserPipeline(kind, (record) => void record.setEventName('app.audit'), call);
    assert.deepEqual(accepted, []);
    assert.deepEqual(errors, [], 'not an error: the record is simply not an analytics event any more');
  });

  test(`${kind}LogRecordProcessor: a processor that throws keeps the record from our exporter, and the call reports it by messageId`, async () => {
    let messageId: string | undefined;
    const { accepted, errors } = await withUserPipeline(
      kind,
      () => {
        throw new Error('processor bug');
      },
      (analytics) => {
        messageId = call(analytics);
      },
    );
    assert.deepEqual(accepted, []);
    assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_EMIT_FAILED']);
    assert.deepEqual((errors[0] as DeliveryError).messageIds, [messageId]);
  });

  test(`${kind}LogRecordProcessor: an untouched record is sent with exactly the facade's fields`, async () => {
    const { accepted } = await withUserPipeline(kind, () => {}, call);
    const { timestamp, context, ...rest } = accepted[0]!;
    assert.equal(typeof timestamp, 'string');
    assert.deepEqual(rest, {
      type: 'track',
      userId: 'u1',
      event: 'Paid',
      properties: { plan: 'pro', card: '4111 1111 1111 1111', items: { count: 2 } },
      messageId: 'm-1',
      writeKey: 'k',
    });
    assert.deepEqual(Object.keys(context as object), ['library', 'otel', 'ip', 'traits']);
  });
}

/** A user's SpanProcessor that edits the events of a span when it ends, before ours exports it. */
function editingSpans(edit: (span: ReadableSpan) => void): SpanProcessor {
  return { onStart: () => {}, onEnd: edit, forceFlush: async () => {}, shutdown: async () => {} };
}

for (const [kind, make] of [
  ['Simple', (exporter: MetaRouterSpanExporter) => new SimpleSpanProcessor(exporter)],
  ['Batch', (exporter: MetaRouterSpanExporter) => new BatchSpanProcessor(exporter)],
] as const) {
  test(`${kind}SpanProcessor: span events edited by a span processor are sent as edited`, async () => {
    const server = await startIngestServer();
    const exporter = new MetaRouterSpanExporter({ writeKey: 'k', host: server.url });
    const redact = editingSpans((span) => {
      for (const event of span.events) {
        const attributes = event.attributes as Record<string, unknown>;
        delete attributes['analytics.properties.card'];
        attributes['analytics.context.app.version'] = '1.2.3';
      }
    });
    const { provider, tracer } = tracerProvider({ processors: [redact, make(exporter)] });
    try {
      const span = tracer.startSpan('checkout');
      span.addEvent('analytics.track', { 'analytics.user_id': 'u1', 'analytics.event': 'Paid', 'analytics.properties.card': '4111', 'analytics.properties.plan': 'pro' });
      span.end();
      await provider.shutdown();

      assert.equal(server.accepted.length, 1);
      assert.deepEqual(server.accepted[0]!.properties, { plan: 'pro' });
      assert.deepEqual((server.accepted[0]!.context as Record<string, unknown>).app, { version: '1.2.3' });
    } finally {
      await exporter.shutdown();
      await server.close();
    }
  });
}
