import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { after, before, test } from 'node:test';
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { Analytics } from '../../src/index.js';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';

let server: IngestServer;
let answered = 0;
before(async () => {
  // The first request of each test fails with 503, then the server accepts.
  server = await startIngestServer(() => (answered++ % 3 === 0 ? { status: 503, headers: { 'retry-after': '0' } } : { status: 200 }));
});
after(() => server.close());

test('OTel metrics: messages sent, dropped by reason, retries, request duration and queue size, through the global meter provider', async () => {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  try {
    answered = 0;
    const analytics = new Analytics({ writeKey: 'metrics-key', host: server.url, maxQueueSize: 3 });
    for (let i = 0; i < 5; i++) analytics.track({ userId: `u${i}`, event: 'Metered' });
    await analytics.flush();
    await reader.forceFlush();
    const points = new Map<string, Array<{ value: unknown; attributes: Record<string, unknown> }>>();
    for (const { scopeMetrics } of exporter.getMetrics()) {
      for (const { metrics: list } of scopeMetrics) {
        for (const metric of list) points.set(metric.descriptor.name, metric.dataPoints as never);
      }
    }
    assert.equal(points.get('metarouter.messages.sent')?.[0]?.value, 3);
    const dropped = points.get('metarouter.messages.dropped')!;
    assert.deepEqual(dropped.map((point) => [point.attributes.reason, point.value]), [['MR_ERR_QUEUE_FULL', 2]]);
    assert.equal(points.get('metarouter.batches.retried')?.[0]?.value, 1);
    const durations = points.get('metarouter.request.duration')!;
    const byOutcome = new Map(durations.map((point) => [point.attributes.outcome, (point.value as { count: number }).count]));
    assert.deepEqual([...byOutcome.entries()].sort(), [['retryable', 1], ['success', 1]]);
    assert.equal(points.get('metarouter.queue.size')?.[0]?.value, 0);
    await analytics.closeAndFlush();
  } finally {
    await provider.shutdown();
    metrics.disable();
  }
});

test('metarouter.request.duration advises bucket boundaries in seconds, so a request of a few milliseconds is not lost in a 0–5 s bucket', async () => {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  try {
    answered = 1;
    const analytics = new Analytics({ writeKey: 'metrics-key', host: server.url });
    analytics.track({ userId: 'u', event: 'Timed' });
    await analytics.closeAndFlush();
    await reader.forceFlush();
    const histogram = exporter
      .getMetrics()
      .flatMap(({ scopeMetrics }) => scopeMetrics.flatMap(({ metrics: list }) => list))
      .find((metric) => metric.descriptor.name === 'metarouter.request.duration');
    const { boundaries, counts } = (histogram!.dataPoints[0]!.value as { buckets: { boundaries: number[]; counts: number[] } }).buckets;
    assert.ok(boundaries.filter((boundary) => boundary > 0 && boundary < 1).length >= 5, `sub-second boundaries: ${boundaries.join(', ')}`);
    assert.ok(Math.max(...boundaries) >= 10, 'a request up to the default 10 s timeout falls in a bounded bucket');
    assert.equal(counts.reduce((sum, count) => sum + count, 0), 1, 'the one request was recorded');
  } finally {
    await provider.shutdown();
    metrics.disable();
  }
});

test('diagnostics_channel: request, response, retry and drop events, never holding the writeKey', async () => {
  answered = 0;
  const seen: Array<[string, unknown]> = [];
  const names = ['metarouter-otel:request', 'metarouter-otel:response', 'metarouter-otel:retry', 'metarouter-otel:drop'];
  const listeners = names.map((name) => {
    const listener = (message: unknown) => seen.push([name, message]);
    diagnosticsChannel.subscribe(name, listener);
    return [name, listener] as const;
  });
  try {
    const analytics = new Analytics({ writeKey: 'SECRET-DIAG-KEY', host: server.url, maxQueueSize: 1 });
    const [kept, dropped] = [analytics.track({ userId: 'u', event: 'A' }), analytics.track({ userId: 'u', event: 'B' })];
    await analytics.closeAndFlush();
    const drops = seen.filter(([name]) => name === 'metarouter-otel:drop');
    assert.deepEqual(drops.map(([, message]) => message), [{ messageIds: [dropped], code: 'MR_ERR_QUEUE_FULL' }]);
    const requests = seen.filter(([name]) => name !== 'metarouter-otel:drop');
    assert.deepEqual(
      requests.map(([name]) => name),
      ['metarouter-otel:request', 'metarouter-otel:response', 'metarouter-otel:retry', 'metarouter-otel:request', 'metarouter-otel:response'],
    );
    const [, firstResponse] = requests[1]!;
    assert.equal((firstResponse as { outcome: string }).outcome, 'retryable');
    assert.equal((firstResponse as { status: number }).status, 503);
    assert.equal((requests[4]![1] as { messageCount: number; attempt: number }).attempt, 2);
    assert.ok(server.accepted.some((message) => message.messageId === kept));
    assert.ok(!JSON.stringify(seen).includes('SECRET-DIAG-KEY'));
  } finally {
    for (const [name, listener] of listeners) diagnosticsChannel.unsubscribe(name, listener);
  }
});
