import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MetaRouterLogRecordExporter } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';

test('a log record named only by its event.name attribute (older SDKs) is shipped, as the bridge reads it', async () => {
  const server = await startIngestServer();
  const exporter = new MetaRouterLogRecordExporter({ writeKey: 'k', host: server.url });
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  try {
    const logger = provider.getLogger('legacy');
    logger.emit({ attributes: { 'event.name': 'analytics.track', 'analytics.user_id': 'u-1', 'analytics.event': 'Legacy Named' } });
    logger.emit({ attributes: { 'event.name': 'app.other', 'analytics.user_id': 'u-1' } });
    await provider.forceFlush();
    await exporter.forceFlush();
    assert.deepEqual(server.accepted.map((message) => [message.type, message.event]), [['track', 'Legacy Named']]);
  } finally {
    await provider.shutdown();
    await server.close();
  }
});
