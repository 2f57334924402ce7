import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { test } from 'node:test';
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import {
  Analytics,
  ConfigurationError,
  MetaRouterLogRecordExporter,
  MetaRouterSpanExporter,
  PLAN_METRICS,
  PLAN_VIOLATION_CHANNEL,
  PlanViolationError,
  startBridge,
  VIOLATION_GENERATED_EVENT,
  type SegmentRulesPlan,
} from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';

const PLAN: SegmentRulesPlan = {
  id: 'tp_fwd',
  version: 4,
  rules: [{ key: 'Paid', type: 'TRACK', version: 1, jsonSchema: { type: 'object', properties: { properties: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] } } } }],
};

const basic = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

test('violationWriteKey: each violation also arrives as a Violation Generated track under that key, on the same host; the events keep theirs', async () => {
  const server = await startIngestServer();
  const analytics = new Analytics({ writeKey: 'events-key', host: server.url, flushInterval: 5, trackingPlan: PLAN, violationWriteKey: 'violations-key' });
  analytics.on('error', () => {});
  try {
    const id = analytics.track({ userId: 'u-1', event: 'Paid', properties: { amount: 'ten' } });
    analytics.track({ userId: 'u-1', event: 'Paid', properties: { amount: 10 } });
    await analytics.closeAndFlush();
    const byKey = (key: string) => server.requests.filter((request) => request.headers.authorization === basic(key)).flatMap((request) => request.body.batch);
    for (const request of server.requests) assert.ok([basic('events-key'), basic('violations-key')].includes(request.headers.authorization ?? ''), 'every request carries one of the two keys');
    assert.deepEqual(byKey('events-key').map((message) => message.properties), [{ amount: 'ten' }, { amount: 10 }], 'reported, still sent');
    const [violation, ...more] = byKey('violations-key');
    assert.equal(more.length, 0, 'one violation, one message');
    assert.equal(violation!.type, 'track');
    assert.equal(violation!.event, VIOLATION_GENERATED_EVENT);
    assert.equal(violation!.userId, 'u-1');
    assert.equal(violation!.writeKey, 'violations-key');
    assert.deepEqual(
      { ...(violation!.properties as Record<string, unknown>), violationDescription: undefined },
      { violationType: 'Datatype-Mismatch', violationField: 'properties.amount', violationDescription: undefined, eventName: 'Paid', eventType: 'track', messageId: id, trackingPlanId: 'tp_fwd', trackingPlanVersion: 4, outcome: 'sent' },
    );
  } finally {
    await server.close();
  }
});

test('violationWriteKey is checked like writeKey at the construction of every entry point, and never printed', async () => {
  for (const bad of ['', 'has space', 42]) {
    const options = { writeKey: 'k', host: 'http://127.0.0.1:9', trackingPlan: PLAN, violationWriteKey: bad as string };
    const check = (error: unknown) => error instanceof ConfigurationError && error.option === 'violationWriteKey' && !(typeof bad === 'string' && bad !== '' && error.message.includes(bad));
    assert.throws(() => new Analytics(options), check);
    assert.throws(() => new MetaRouterLogRecordExporter(options), check);
    assert.throws(() => new MetaRouterSpanExporter(options), check);
    await assert.rejects(startBridge({ ...options, port: 0 }), check);
  }
});

test('plan self-metrics count violations by type, drops and omissions; each report is published on the diagnostics channel', async () => {
  const server = await startIngestServer();
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  const published: unknown[] = [];
  const listener = (report: unknown) => published.push(report);
  diagnosticsChannel.subscribe(PLAN_VIOLATION_CHANNEL, listener);
  try {
    const analytics = new Analytics({ writeKey: 'k', host: server.url, trackingPlan: PLAN, planEnforcement: { unplannedEvents: 'drop', unplannedProperties: 'omit' } });
    analytics.on('error', () => {});
    analytics.track({ userId: 'u', event: 'Paid', properties: { amount: 1 } });
    analytics.track({ userId: 'u', event: 'Paid', properties: { amount: 'x' } });
    analytics.track({ userId: 'u', event: 'Paid', properties: { amount: 2, note: 'a', extra: 'b' } });
    analytics.track({ userId: 'u', event: 'Refunded' });
    analytics.track({ userId: 'u', event: 'Refunded' });
    await analytics.closeAndFlush();
    await reader.forceFlush();
    const points = (name: string) =>
      exporter
        .getMetrics()
        .flatMap(({ scopeMetrics }) => scopeMetrics.flatMap(({ metrics: list }) => list))
        .filter((metric) => metric.descriptor.name === name)
        .flatMap((metric) => metric.dataPoints.map((point) => [Object.values(point.attributes)[0], point.value]));
    assert.deepEqual(points(PLAN_METRICS.violations.name).sort(), [['Datatype-Mismatch', 1], ['Unplanned-Event', 2], ['Unplanned-Property', 2]]);
    assert.deepEqual(points(PLAN_METRICS.dropped.name), [['Unplanned-Event', 2]]);
    assert.deepEqual(points(PLAN_METRICS.omitted.name), [[undefined, 2]]);
    assert.equal(published.length, 4, 'one report per message that broke the plan');
    assert.ok(published.every((report) => report instanceof PlanViolationError));
    assert.deepEqual(server.accepted.map((message) => message.properties), [{ amount: 1 }, { amount: 'x' }, { amount: 2 }]);
  } finally {
    diagnosticsChannel.unsubscribe(PLAN_VIOLATION_CHANNEL, listener);
    await provider.shutdown();
    metrics.disable();
    await server.close();
  }
});
