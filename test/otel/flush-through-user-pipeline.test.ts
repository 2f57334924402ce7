import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { Analytics, MetaRouterLogRecordExporter } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';

test('with a SimpleLogRecordProcessor (which never asks the exporter to send), flush() still delivers before it resolves', async () => {
  const server = await startIngestServer();
  const exporter = new MetaRouterLogRecordExporter({ writeKey: 'k', host: server.url, flushInterval: 60_000 });
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const analytics = new Analytics({ writeKey: 'k', host: server.url, loggerProvider: provider });
  try {
    const id = analytics.track({ userId: 'u', event: 'Flushed' });
    await analytics.flush();
    assert.deepEqual(server.accepted.map((message) => message.messageId), [id]);
  } finally {
    await analytics.closeAndFlush();
    await provider.shutdown();
    await server.close();
  }
});

test('calls after close are counted as refused, not only reported', async () => {
  const server = await startIngestServer();
  const analytics = new Analytics({ writeKey: 'k', host: server.url });
  const codes: string[] = [];
  analytics.on('error', (error) => codes.push(error.code));
  await analytics.closeAndFlush();
  analytics.track({ userId: 'u', event: 'Late' });
  assert.deepEqual(codes, ['MR_ERR_CLOSED']);
  assert.equal(analytics.counters!.refused, 1);
  assert.equal(server.requests.length, 0);
  await server.close();
});
