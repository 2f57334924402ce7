import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { Analytics, MetaRouterLogRecordExporter, type AnalyticsOptions, type BeforeSend } from '../../src/index.js';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';

// The beforeSend recipes of examples/before-send/, each run here as users would run it.
// Compiled to build/test/examples/: the repository is three levels up.
const recipe = (name: string) => import(pathToFileURL(join(__dirname, '..', '..', '..', 'examples', 'before-send', `${name}.mjs`)).href);

async function deliver(options: Omit<AnalyticsOptions, 'writeKey' | 'host'>, calls: (analytics: Analytics) => void): Promise<IngestServer & { analytics: Analytics }> {
  const server = await startIngestServer();
  const analytics = new Analytics({ writeKey: 'k', host: server.url, ...options });
  try {
    calls(analytics);
    await analytics.closeAndFlush();
  } finally {
    await server.close();
  }
  return Object.assign(server, { analytics });
}

test('hash-email: traits.email leaves as its SHA-256, never in clear', async () => {
  const { hashEmail } = (await recipe('hash-email')) as { hashEmail: BeforeSend };
  const server = await deliver({ beforeSend: hashEmail }, (analytics) => {
    analytics.identify({ userId: 'u1', traits: { name: 'Arthur', email: 'Arthur@Example.com ' } });
    analytics.track({ userId: 'u1', event: 'Paid', context: { traits: { email: 'arthur@example.com' } } });
  });
  const hashed = createHash('sha256').update('arthur@example.com').digest('hex');
  assert.deepEqual(server.accepted[0]!.traits, { name: 'Arthur', email: hashed });
  assert.equal(((server.accepted[1]!.context as Record<string, Record<string, unknown>>).traits)!.email, hashed);
  assert.doesNotMatch(JSON.stringify(server.requests.map((request) => request.body)), /example\.com/i);
});

test('consent: messages whose context.consent refuses analytics are dropped and counted, not reported', async () => {
  const { dropWithoutConsent } = (await recipe('consent')) as { dropWithoutConsent: BeforeSend };
  const errors: unknown[] = [];
  const server = await deliver({ beforeSend: dropWithoutConsent }, (analytics) => {
    analytics.on('error', (error) => errors.push(error));
    analytics.track({ userId: 'u1', event: 'Refused', context: { consent: { analytics: false } } });
    analytics.track({ userId: 'u2', event: 'Granted', context: { consent: { analytics: true } } });
    analytics.track({ userId: 'u3', event: 'Unstated' });
  });
  assert.deepEqual(server.accepted.map((message) => message.event), ['Granted', 'Unstated']);
  assert.equal(server.analytics.counters!.filtered, 1);
  assert.deepEqual(errors, []);
});

test('resource-context: context.app and context.environment come from the OpenTelemetry Resource of the setup', async () => {
  const { contextFromResource } = (await recipe('resource-context')) as { contextFromResource: (resource: unknown) => BeforeSend };
  const resource = resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '4.2.0', 'deployment.environment.name': 'production' });
  const server = await deliver({ beforeSend: contextFromResource(resource) }, (analytics) => {
    analytics.track({ userId: 'u1', event: 'Paid' });
    analytics.track({ userId: 'u1', event: 'Own App', context: { app: { build: '77' } } });
  });
  const contexts = server.accepted.map((message) => message.context as Record<string, unknown>);
  assert.deepEqual(contexts[0]!.app, { name: 'checkout', version: '4.2.0' });
  assert.equal(contexts[0]!.environment, 'production');
  assert.deepEqual(contexts[1]!.app, { name: 'checkout', version: '4.2.0', build: '77' }, 'the call’s own context is kept');
});

test('sample: one high-volume event is kept at 10 %, deterministically by messageId; other events are all kept', async () => {
  const { sampleEvent } = (await recipe('sample')) as { sampleEvent: (event: string, rate: number) => BeforeSend };
  const server = await deliver({ beforeSend: sampleEvent('Page Scrolled', 0.1), maxQueueSize: 5000 }, (analytics) => {
    for (let i = 0; i < 2000; i++) analytics.track({ userId: 'u1', event: 'Page Scrolled', messageId: `scroll-${i}` });
    for (let i = 0; i < 20; i++) analytics.track({ userId: 'u1', event: 'Paid', messageId: `paid-${i}` });
  });
  const scrolled = server.accepted.filter((message) => message.event === 'Page Scrolled').length;
  assert.ok(scrolled > 140 && scrolled < 260, `about 10 % of 2000 kept, got ${scrolled}`);
  assert.equal(server.accepted.filter((message) => message.event === 'Paid').length, 20);
  assert.equal(server.analytics.counters!.filtered, 2000 - scrolled);
});

test('redact-card: the same redaction as an OTel processor (user pipeline) and as beforeSend (built-in) puts the same bytes on the wire', async () => {
  const { redactCard, RedactCardProcessor } = (await recipe('redact-card')) as { redactCard: BeforeSend; RedactCardProcessor: new () => LogRecordProcessor };
  const call = (analytics: Analytics) =>
    analytics.track({
      userId: 'u1',
      event: 'Paid',
      properties: { card: '4111 1111 1111 1111', plan: 'pro', items: [{ sku: 'a', qty: 2 }] },
      context: { ip: '203.0.113.7' },
      messageId: 'same-message',
      timestamp: '2026-03-04T05:06:07.089Z',
    });

  // The same service on both sides: each message carries its resource's identity.
  const builtin = await deliver({ beforeSend: redactCard, resource: { 'service.name': 'shop' } }, call);

  const server = await startIngestServer();
  const exporter = new MetaRouterLogRecordExporter({ writeKey: 'k', host: server.url });
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'shop' }), processors: [new RedactCardProcessor(), new BatchLogRecordProcessor({ exporter })] });
  const analytics = new Analytics({ writeKey: 'k', host: server.url, loggerProvider: provider });
  try {
    call(analytics);
    await provider.shutdown();
  } finally {
    await analytics.closeAndFlush();
    await server.close();
  }

  assert.equal(builtin.accepted.length, 1);
  assert.equal((builtin.accepted[0]!.properties as Record<string, unknown>).card, '[redacted]');
  assert.equal(JSON.stringify(server.accepted), JSON.stringify(builtin.accepted), 'identical messages, key for key');
});
