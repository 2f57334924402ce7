import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { test } from 'node:test';
import { metrics } from '@opentelemetry/api';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { Analytics } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';

test('a message beforeSend dropped shows in metarouter.messages.dropped with reason beforeSend, apart from real losses', async () => {
  const server = await startIngestServer();
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  try {
    const analytics = new Analytics({
      writeKey: 'k',
      host: server.url,
      beforeSend: (message) => {
        if (message.event === 'Crash') throw new Error('hook bug');
        return message.event === 'Noise' ? null : message;
      },
    });
    analytics.on('error', () => {});
    for (const event of ['Noise', 'Noise', 'Crash', 'Kept']) analytics.track({ userId: 'u1', event });
    await analytics.closeAndFlush();
    await reader.forceFlush();
    const dropped = exporter
      .getMetrics()
      .flatMap(({ scopeMetrics }) => scopeMetrics.flatMap(({ metrics: list }) => list))
      .filter((metric) => metric.descriptor.name === 'metarouter.messages.dropped')
      .flatMap((metric) => metric.dataPoints.map((point) => [point.attributes.reason, point.value]));
    assert.deepEqual(dropped.sort(), [['MR_ERR_BEFORE_SEND_FAILED', 1], ['beforeSend', 2]]);
    assert.deepEqual(server.accepted.map((message) => message.event), ['Kept']);
  } finally {
    await provider.shutdown();
    metrics.disable();
    await server.close();
  }
});

test('with a loggerProvider, a drop by the facade’s hook is measured and published too', async () => {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  const published: unknown[] = [];
  const listener = (event: unknown) => published.push(event);
  diagnosticsChannel.subscribe('metarouter-otel:filter', listener);
  const loggerProvider = new LoggerProvider();
  try {
    const analytics = new Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9', loggerProvider, beforeSend: () => null });
    const id = analytics.track({ userId: 'u1', event: 'Noise' });
    await reader.forceFlush();
    const dropped = exporter
      .getMetrics()
      .flatMap(({ scopeMetrics }) => scopeMetrics.flatMap(({ metrics: list }) => list))
      .filter((metric) => metric.descriptor.name === 'metarouter.messages.dropped')
      .flatMap((metric) => metric.dataPoints.map((point) => [point.attributes.reason, point.value]));
    assert.deepEqual(dropped, [['beforeSend', 1]]);
    assert.deepEqual(published, [{ messageId: id, stage: 'beforeSend' }]);
  } finally {
    diagnosticsChannel.unsubscribe('metarouter-otel:filter', listener);
    await loggerProvider.shutdown();
    await provider.shutdown();
    metrics.disable();
  }
});
