import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { Analytics, ConfigurationError, MetaRouterLogRecordExporter, MetaRouterSpanExporter } from '../../src/index.js';
import { LIBRARY } from '../../src/version.js';
import { arrivedOnce, startIngestServer } from '../helpers/ingest-server.js';

const IDENTITY = {
  'service.name': 'checkout',
  'service.namespace': 'shop',
  'service.version': '2.4.1',
  'service.instance.id': 'pod-7',
  'deployment.environment.name': 'production',
};

type Context = { library: unknown; otel?: { traceId?: string; resource?: Record<string, unknown> } };
const contextOf = (message: Record<string, unknown>) => message.context as Context;

/** Runs `body` with these environment variables set, restoring them after. */
async function withEnv(vars: Record<string, string | undefined>, body: () => Promise<void>): Promise<void> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  try {
    await body();
  } finally {
    apply(saved);
  }
}

test('the built-in pipeline sends the resource option as context.otel.resource, the five identity attributes only, with no span', async () => {
  const server = await startIngestServer();
  const analytics = new Analytics({ writeKey: 'k', host: server.url, resource: { ...IDENTITY, 'host.name': 'not-sent' } });
  const id = analytics.track({ userId: 'u', event: 'E' });
  await analytics.closeAndFlush();
  await server.close();
  const context = contextOf(arrivedOnce(server, id));
  assert.deepEqual(context.otel, { resource: IDENTITY });
  assert.deepEqual(context.library, { name: LIBRARY.name, version: LIBRARY.version });
});

test('the built-in pipeline reads OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME over it, and the resource option over both', async () => {
  const server = await startIngestServer();
  await withEnv({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs, service.namespace=shop,deployment.environment.name=eu%20west', OTEL_SERVICE_NAME: 'from-service-name' }, async () => {
    const fromEnv = new Analytics({ writeKey: 'k', host: server.url });
    const overridden = new Analytics({ writeKey: 'k', host: server.url, resource: { 'service.name': 'from-code' } });
    const a = fromEnv.track({ userId: 'u', event: 'E' });
    const b = overridden.track({ userId: 'u', event: 'E' });
    await Promise.all([fromEnv.closeAndFlush(), overridden.closeAndFlush()]);
    assert.deepEqual(contextOf(arrivedOnce(server, a)).otel?.resource, { 'service.name': 'from-service-name', 'service.namespace': 'shop', 'deployment.environment.name': 'eu west' });
    assert.deepEqual(contextOf(arrivedOnce(server, b)).otel?.resource, { 'service.name': 'from-code', 'service.namespace': 'shop', 'deployment.environment.name': 'eu west' });
  });
  await server.close();
});

test('resourceAttributeKeys changes the list; [] sends none; a bad resource or list is a ConfigurationError', async () => {
  const server = await startIngestServer();
  const some = new Analytics({ writeKey: 'k', host: server.url, resource: { ...IDENTITY, 'cloud.region': 'eu-1' }, resourceAttributeKeys: ['cloud.region', 'service.name'] });
  const none = new Analytics({ writeKey: 'k', host: server.url, resource: IDENTITY, resourceAttributeKeys: [] });
  const a = some.track({ userId: 'u', event: 'E' });
  const b = none.track({ userId: 'u', event: 'E' });
  await Promise.all([some.closeAndFlush(), none.closeAndFlush()]);
  await server.close();
  assert.deepEqual(contextOf(arrivedOnce(server, a)).otel?.resource, { 'cloud.region': 'eu-1', 'service.name': 'checkout' });
  assert.equal(contextOf(arrivedOnce(server, b)).otel, undefined);
  const bad = (options: object) => () => new Analytics({ writeKey: 'k', host: server.url, ...options });
  assert.throws(bad({ resource: 'checkout' }), (error: unknown) => error instanceof ConfigurationError && error.message.startsWith('resource is invalid'));
  assert.throws(bad({ resource: { 'service.name': { nested: true } } }), ConfigurationError);
  assert.throws(bad({ resourceAttributeKeys: 'service.name' }), (error: unknown) => error instanceof ConfigurationError && error.message.startsWith('resourceAttributeKeys is invalid'));
  assert.throws(bad({ resource: IDENTITY, loggerProvider: new LoggerProvider() }), (error: unknown) => error instanceof ConfigurationError && error.message.startsWith('resource is invalid with loggerProvider'));
});

test('a bad OTEL_RESOURCE_ATTRIBUTES is ignored whole, never thrown', async () => {
  const server = await startIngestServer();
  await withEnv({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=a,%E0%A4%A', OTEL_SERVICE_NAME: undefined }, async () => {
    const analytics = new Analytics({ writeKey: 'k', host: server.url });
    const id = analytics.track({ userId: 'u', event: 'E' });
    await analytics.closeAndFlush();
    assert.equal(contextOf(arrivedOnce(server, id)).otel, undefined);
  });
  await server.close();
});

test("a user's logs pipeline sends its provider's resource, and a beforeSend hook sees it and cannot change it", async () => {
  const server = await startIngestServer();
  const seen: unknown[] = [];
  const exporter = new MetaRouterLogRecordExporter({
    writeKey: 'k',
    host: server.url,
    beforeSend: (message) => {
      seen.push(structuredClone(message.context.otel));
      (message.context.otel as { resource: Record<string, unknown> }).resource['service.name'] = 'edited';
      message.properties = { edited: true };
      return message;
    },
  });
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ ...IDENTITY, 'host.name': 'h' }), processors: [new SimpleLogRecordProcessor({ exporter })] });
  const analytics = new Analytics({ writeKey: 'k', host: server.url, loggerProvider: provider });
  const id = analytics.track({ userId: 'u', event: 'E' });
  await analytics.closeAndFlush();
  await provider.shutdown();
  await server.close();
  const message = arrivedOnce(server, id);
  assert.deepEqual(seen, [{ resource: IDENTITY }]);
  assert.deepEqual(contextOf(message).otel, { resource: IDENTITY });
  assert.deepEqual(message.properties, { edited: true });
});

test("the span exporter sends the span's resource beside its trace ids", async () => {
  const server = await startIngestServer();
  const exporter = new MetaRouterSpanExporter({ writeKey: 'k', host: server.url });
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'worker', 'service.version': '9' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const span = provider.getTracer('t').startSpan('job');
  span.addEvent('analytics.track', { 'analytics.user_id': 'u', 'analytics.event': 'Job Done', 'analytics.message_id': 'span-1' });
  span.end();
  await provider.shutdown();
  await server.close();
  const otel = contextOf(arrivedOnce(server, 'span-1')).otel;
  assert.deepEqual(otel, { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, resource: { 'service.name': 'worker', 'service.version': '9' } });
});
