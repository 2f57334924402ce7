// metarouter-otel's core behaviours against the OpenTelemetry JS 3.x line: api 1.10 (which carries
// the logs API itself), @opentelemetry/sdk-trace 3.x, sdk-logs 3.x, context-async-hooks 3.x.
// Run by scripts/test-matrix.sh, which installs the packed package beside these dependencies.
// (3.x span processors take an options object: `new BatchSpanProcessor({ exporter })`.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { context, logs, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Analytics, MetaRouterLogRecordExporter, MetaRouterSpanExporter, startSink } from 'metarouter-otel';

const require = createRequire(import.meta.url);
const run = promisify(execFile);
const versionOfFile = (path) => JSON.parse(readFileSync(new URL(`../node_modules/${path}`, import.meta.url), 'utf8')).version;
const versionOf = (name) => versionOfFile(`${name}/package.json`);

before(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
after(() => {
  context.disable();
  logs.disable();
});

/** A fresh loopback ingestion endpoint per test, so that counts are exact. */
async function withSink(fn) {
  const sink = await startSink({ port: 0 });
  try {
    await fn(sink, { writeKey: 'otel3-key', host: sink.url });
  } finally {
    await sink.close();
  }
}

test('the versions under test are the 3.x line; metarouter-otel uses the app\'s copy of @opentelemetry/api and brings no 2.x SDK package', () => {
  assert.match(versionOf('@opentelemetry/api'), /^1\.10\./);
  for (const name of ['@opentelemetry/sdk-trace', '@opentelemetry/sdk-logs', '@opentelemetry/context-async-hooks']) assert.match(versionOf(name), /^3\./, name);
  const ours = createRequire(require.resolve('metarouter-otel')).resolve('@opentelemetry/api');
  assert.equal(ours, require.resolve('@opentelemetry/api'), 'one copy of the API in the process: the peer dependency resolved to the app\'s');
  // Our runtime dependencies bring no package of the 2.x SDK line along (api-logs is API, not SDK).
  const installed = readdirSync(new URL('../node_modules/', import.meta.url), { recursive: true })
    .filter((path) => /(^|\/)@opentelemetry\/[^/]+\/package\.json$/.test(path) && !/\/(dist|build|src)\//.test(path))
    .map((path) => `${path.replace(/\/package\.json$/, '').replace(/^.*@opentelemetry\//, '@opentelemetry/')}@${versionOfFile(path)}`);
  assert.deepEqual(installed.filter((entry) => !/^@opentelemetry\/(api@1\.10\.|api-logs@|semantic-conventions@|[a-z-]+@3\.)/.test(entry)), []);
});

test('facade calls inside a 3.x tracer\'s active span carry its trace and span ids, and are marked on it (built-in pipeline)', async () => {
  await withSink(async (sink, destination) => {
    const spans = new InMemorySpanExporter();
    const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }).getTracer('checkout');
    const analytics = new Analytics(destination);
    const errors = [];
    analytics.on('error', (error) => errors.push(error.code));

    const { ids, spanContext } = await tracer.startActiveSpan('POST /checkout', { kind: SpanKind.SERVER }, async (span) => {
      const identify = analytics.identify({ userId: 'u-3', traits: { plan: 'pro' } });
      await new Promise((resolve) => setTimeout(resolve, 1)); // the context follows an await
      const track = analytics.track({ userId: 'u-3', event: 'Order Completed', properties: { total: 42.5 } });
      span.end();
      return { ids: [identify, track], spanContext: span.spanContext() };
    });
    const outside = analytics.page({ userId: 'u-3', name: 'Home' });
    await analytics.closeAndFlush();

    assert.deepEqual(errors, []);
    assert.deepEqual(sink.messages.map((message) => message.messageId).sort(), [...ids, outside].sort(), 'each call delivered once');
    for (const id of ids) {
      const message = sink.messages.find((candidate) => candidate.messageId === id);
      assert.deepEqual(message.context.otel, { traceId: spanContext.traceId, spanId: spanContext.spanId }, `${message.type} is correlated`);
      assert.equal(message.context.library.name, 'metarouter-otel');
    }
    assert.equal(sink.messages.find((message) => message.messageId === outside).context.otel, undefined, 'a call outside any span has no trace ids');
    const [finished] = spans.getFinishedSpans();
    assert.deepEqual(
      finished.events.map((event) => [event.name, event.attributes['analytics.message_id']]),
      [['analytics.identify', ids[0]], ['analytics.track', ids[1]]],
      'the span shows each call with its messageId',
    );
  });
});

test('our exporters in 3.x LoggerProvider and TracerProvider pipelines: facade calls, hand-recorded span events and analytics log records are shipped once; marks and other telemetry are not', async () => {
  await withSink(async (sink, destination) => {
    const loggerProvider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: new MetaRouterLogRecordExporter(destination) })] });
    const tracerProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: new MetaRouterSpanExporter(destination) })] });
    const analytics = new Analytics({ ...destination, loggerProvider });

    const traceId = tracerProvider.getTracer('checkout').startActiveSpan('POST /checkout', (span) => {
      analytics.track({ userId: 'u-3', event: 'Order Completed', properties: { total: 42.5, currency: 'EUR' } }); // a log record, plus a mark on this span
      span.addEvent('analytics.track', { 'analytics.user_id': 'u-3', 'analytics.event': 'Coupon Applied', 'analytics.properties.code': 'SPRING' });
      const logger = loggerProvider.getLogger('checkout');
      logger.emit({ eventName: 'analytics.identify', body: { userId: 'u-3', traits: { name: 'Arthur Dent' } } }); // by hand, Segment-shaped body
      logger.emit({ body: 'checkout finished' }); // not analytics
      span.end();
      return span.spanContext().traceId;
    });
    await analytics.closeAndFlush();
    await tracerProvider.shutdown();
    await loggerProvider.shutdown();

    assert.deepEqual(sink.messages.map((message) => `${message.type} ${message.event ?? ''}`.trim()).sort(), ['identify', 'track Coupon Applied', 'track Order Completed']);
    for (const message of sink.messages) assert.equal(message.context.otel.traceId, traceId, `${message.type} ${message.event ?? ''} is correlated`);
    assert.deepEqual(sink.messages.find((message) => message.event === 'Coupon Applied').properties, { code: 'SPRING' });
    assert.deepEqual(sink.messages.find((message) => message.type === 'identify').traits, { name: 'Arthur Dent' });
  });
});

test('Analytics emits into the LoggerProvider registered through api 1.10\'s own logs API (as a 3.x NodeSDK does)', async () => {
  await withSink(async (sink, destination) => {
    const loggerProvider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: new MetaRouterLogRecordExporter(destination) })] });
    logs.setGlobalLoggerProvider(loggerProvider);
    const analytics = new Analytics({ ...destination, loggerProvider: logs.getLoggerProvider() });
    const tracer = new TracerProvider().getTracer('jobs');

    const { id, spanId } = tracer.startActiveSpan('nightly-import', (span) => {
      span.end();
      return { id: analytics.track({ anonymousId: 'job-1', event: 'Import Finished' }), spanId: span.spanContext().spanId };
    });
    await analytics.flush();
    assert.equal(sink.messages.length, 1, 'flush() force-flushed the global provider\'s pipeline');
    assert.equal(sink.messages[0].messageId, id);
    assert.equal(sink.messages[0].context.otel.spanId, spanId);
    await analytics.closeAndFlush();
    await loggerProvider.shutdown();
  });
});

test('a TypeScript app on the 3.x line type-checks against our declarations (types/consumer.mts, moduleResolution node16)', async () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const project = new URL('../types/tsconfig.json', import.meta.url);
  const { stdout } = await run(process.execPath, [tsc, '-p', fileURLToPath(project), '--pretty', 'false']).catch((error) => ({ stdout: error.stdout || String(error) }));
  assert.equal(stdout, '', 'tsc reports no error');
});
