import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { Analytics, MetaRouterLogRecordExporter } from '../../src/index.js';
import { arrivedOnce, startIngestServer, type IngestServer } from '../helpers/ingest-server.js';
import { DEFAULT_IDENTITY, tracerProvider, useContextManager } from '../helpers/otel.js';

let server: IngestServer;
let removeContextManager: () => void;
before(async () => {
  removeContextManager = useContextManager();
  server = await startIngestServer();
});
after(async () => {
  removeContextManager();
  await server.close();
});

const arrived = (messageId: string) => arrivedOnce(server, messageId);

test('with an always-off sampler, a call inside the (non-recording) span is still delivered, with the span’s trace id', async () => {
  const { provider, tracer, finished } = tracerProvider({ sampled: false });
  const analytics = new Analytics({ writeKey: 'k', host: server.url });

  const seen = await tracer.startActiveSpan('unsampled request', async (span) => {
    await new Promise((resolve) => setImmediate(resolve));
    const id = analytics.track({ userId: 'u1', event: 'Signed Up', properties: { plan: 'pro' } });
    span.end();
    return { id, recording: span.isRecording(), ids: span.spanContext() };
  });
  await analytics.closeAndFlush();
  await provider.forceFlush();

  assert.equal(seen.recording, false, 'the span is not recording');
  assert.equal(finished.getFinishedSpans().length, 0, 'the span itself is not exported (a span event would have been lost)');
  const message = arrived(seen.id);
  assert.equal(message.event, 'Signed Up');
  assert.deepEqual(message.properties, { plan: 'pro' });
  const otel = (message.context as Record<string, unknown>).otel as Record<string, unknown>;
  assert.match(seen.ids.traceId, /^[0-9a-f]{32}$/);
  assert.equal(otel.traceId, seen.ids.traceId);
  assert.equal(otel.spanId, seen.ids.spanId);

  await provider.shutdown();
});

test('with an always-off sampler, a call through a user’s logs pipeline is still delivered, with the span’s trace id', async () => {
  const { provider, tracer } = tracerProvider({ sampled: false });
  const exporter = new MetaRouterLogRecordExporter({ writeKey: 'k', host: server.url });
  const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const analytics = new Analytics({ writeKey: 'k', host: server.url, loggerProvider });

  const seen = tracer.startActiveSpan('unsampled request', (span) => {
    const id = analytics.identify({ userId: 'u2', traits: { name: 'Arthur' } });
    span.end();
    return { id, ids: span.spanContext() };
  });
  await analytics.closeAndFlush();
  await loggerProvider.shutdown();
  await provider.shutdown();

  const message = arrived(seen.id);
  assert.deepEqual(message.traits, { name: 'Arthur' });
  assert.deepEqual((message.context as Record<string, unknown>).otel, { traceId: seen.ids.traceId, spanId: seen.ids.spanId, resource: DEFAULT_IDENTITY });
});
