import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { Analytics, MetaRouterLogRecordExporter, MetaRouterSpanExporter } from '../../src/index.js';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';

const KEY = 'PRINTED-NOWHERE-KEY';
let server: IngestServer;
before(async () => {
  server = await startIngestServer();
});
after(() => server.close());

test('printing or serializing an Analytics instance or an exporter never shows the writeKey', async () => {
  const instances = [
    new Analytics({ writeKey: KEY, host: server.url }),
    new MetaRouterLogRecordExporter({ writeKey: KEY, host: server.url }),
    new MetaRouterSpanExporter({ writeKey: KEY, host: server.url }),
  ];
  for (const instance of instances) {
    const shown = [inspect(instance, { depth: 10, showHidden: false }), JSON.stringify(instance), String(instance)];
    for (const text of shown) assert.ok(!text.includes(KEY), `${instance.constructor.name} shows the key: ${text.slice(0, 200)}`);
    assert.match(shown[0]!, new RegExp(instance.constructor.name));
  }
  await (instances[0] as Analytics).closeAndFlush();
  await (instances[1] as MetaRouterLogRecordExporter).shutdown();
  await (instances[2] as MetaRouterSpanExporter).shutdown();
});

test('a log record body in a user pipeline, as a console or debug exporter prints it, holds no writeKey', async () => {
  const seen = new InMemoryLogRecordExporter();
  const ours = new MetaRouterLogRecordExporter({ writeKey: KEY, host: server.url });
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: seen }), new SimpleLogRecordProcessor({ exporter: ours })] });
  const analytics = new Analytics({ writeKey: KEY, host: server.url, loggerProvider: provider });
  const id = analytics.track({ userId: 'u', event: 'Printed', properties: { plan: 'pro' } });
  await analytics.flush();
  const [record] = seen.getFinishedLogRecords();
  const printed = inspect(record!.body, { depth: 10 });
  assert.ok(printed.includes('Printed'), 'the body is the message');
  assert.ok(!printed.includes(KEY), `the printed body shows the key: ${printed}`);
  assert.ok(!JSON.stringify(record!.body).includes(KEY));
  assert.ok(server.accepted.some((message) => message.messageId === id), 'our exporter still ships it');
  await analytics.closeAndFlush();
  await provider.shutdown();
});
