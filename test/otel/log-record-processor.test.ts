import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { BatchLogRecordProcessor, LoggerProvider, SimpleLogRecordProcessor, type LogRecordProcessor, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import { Analytics, MetaRouterLogRecordExporter, MetaRouterLogRecordProcessor, type MetaRouterError } from '../../src/index.js';
import { arrivedOnce, startIngestServer } from '../helpers/ingest-server.js';

const INDEX = resolve(__dirname, '..', '..', 'src', 'index.js');
const root = mkdtempSync(join(tmpdir(), 'metarouter-otel-processor-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A user's processor registered before ours: it edits each record at onEmit. */
const redact: LogRecordProcessor = {
  onEmit(record: SdkLogRecord) {
    record.setAttribute('analytics.properties.card', 'redacted');
  },
  forceFlush: async () => {},
  shutdown: async () => {},
};

test('in a user\'s LoggerProvider it ships analytics records as processors before it left them, ignores other records, and flushes and shuts down by the contract', async () => {
  const server = await startIngestServer();
  const processor = new MetaRouterLogRecordProcessor({ writeKey: 'k', host: server.url });
  const errors: MetaRouterError[] = [];
  processor.on('error', (error) => errors.push(error));
  const provider = new LoggerProvider({ processors: [redact, processor] });
  const analytics = new Analytics({ writeKey: 'k', host: server.url, loggerProvider: provider });
  const id = analytics.track({ userId: 'u', event: 'Paid', properties: { card: '4111' } });
  provider.getLogger('app').emit({ eventName: 'app.audit', body: 'not analytics' });
  await processor.forceFlush();
  const message = arrivedOnce(server, id);
  assert.deepEqual(message.properties, { card: 'redacted' });
  assert.equal(server.accepted.length, 1, 'the other record is not sent');
  assert.equal(processor.counters.delivered, 1);
  await provider.shutdown();
  await processor.shutdown();
  await server.close();
  assert.deepEqual(errors, []);
});

test('onEmit never throws: an unreadable record is reported by messageId, a record after shutdown too', async () => {
  const server = await startIngestServer();
  const processor = new MetaRouterLogRecordProcessor({ writeKey: 'k', host: server.url });
  const errors: MetaRouterError[] = [];
  processor.on('error', (error) => errors.push(error));
  const hostile = { eventName: 'analytics.track', hrTime: [0, 0], attributes: {}, get body(): unknown { throw new Error('boom'); } };
  assert.doesNotThrow(() => processor.onEmit(hostile as never));
  processor.onEmit({ eventName: 'analytics.track', hrTime: [1767225600, 0], attributes: { 'analytics.message_id': 'bad-1' }, body: { userId: 'u' } } as never);
  await processor.shutdown();
  assert.doesNotThrow(() => processor.onEmit({ eventName: 'analytics.track', hrTime: [1767225600, 0], attributes: {}, body: { userId: 'u', event: 'E', messageId: 'late-1' } } as never));
  await new Promise((resolveTurn) => setImmediate(resolveTurn));
  await server.close();
  assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_INVALID_RECORD', 'MR_ERR_INVALID_RECORD', 'MR_ERR_CLOSED']);
  assert.deepEqual((errors[1] as unknown as { messageIds: string[] }).messageIds, ['bad-1']);
  assert.deepEqual((errors[2] as unknown as { messageIds: string[] }).messageIds, ['late-1']);
});

test('a durable exporter behind a BatchLogRecordProcessor is warned about once through the OTel diag logger; behind a SimpleLogRecordProcessor, or without storage, not', async () => {
  const warnings: string[] = [];
  diag.setLogger({ warn: (text: string) => void warnings.push(text), error() {}, info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
  after(() => diag.disable());
  const server = await startIngestServer();
  const pipeline = async (kind: 'batch' | 'simple', storage: boolean) => {
    const exporter = new MetaRouterLogRecordExporter({ writeKey: 'k', host: server.url, ...(storage ? { storage: { directory: join(root, `warn-${kind}`) } } : {}) });
    const processor = kind === 'batch' ? new BatchLogRecordProcessor({ exporter }) : new SimpleLogRecordProcessor({ exporter });
    const provider = new LoggerProvider({ processors: [processor] });
    const analytics = new Analytics({ writeKey: 'k', host: server.url, loggerProvider: provider });
    for (let i = 0; i < 3; i++) analytics.track({ userId: 'u', event: 'E' });
    await provider.forceFlush();
    for (let i = 0; i < 3; i++) analytics.track({ userId: 'u', event: 'E' });
    await provider.shutdown();
  };
  await pipeline('simple', true);
  await pipeline('batch', false);
  assert.deepEqual(warnings.filter((text) => text.startsWith('metarouter-otel')), []);
  await pipeline('batch', true);
  await server.close();
  const ours = warnings.filter((text) => text.startsWith('metarouter-otel'));
  assert.equal(ours.length, 1);
  assert.match(ours[0]!, /batching processor/);
});

/**
 * The scenario, in a child process: a user's LoggerProvider with `storage`, 10 track calls,
 * SIGKILL 50 ms later, restart on the same directory. `proc` places MetaRouterLogRecordProcessor,
 * `batch` a BatchLogRecordProcessor in front of the exporter.
 */
const CHILD = `
const { writeSync } = require('node:fs');
const { LoggerProvider, BatchLogRecordProcessor } = require(${JSON.stringify(require.resolve('@opentelemetry/sdk-logs'))});
const { Analytics, MetaRouterLogRecordExporter, MetaRouterLogRecordProcessor } = require(${JSON.stringify(INDEX)});
const [mode, host, directory] = process.argv.slice(2);
const options = { writeKey: 'k', host, storage: { directory }, flushInterval: 60000 };
const processor = mode === 'batch' ? new BatchLogRecordProcessor({ exporter: new MetaRouterLogRecordExporter(options) }) : new MetaRouterLogRecordProcessor(options);
const provider = new LoggerProvider({ processors: [processor] });
if (mode === 'drain') {
  setImmediate(async () => { await provider.shutdown(); writeSync(1, 'drained\\n'); });
} else {
  const analytics = new Analytics({ writeKey: 'k', host, loggerProvider: provider });
  for (let i = 0; i < 10; i++) analytics.track({ userId: 'u', event: 'E', messageId: mode + '-' + i });
  writeSync(1, 'called\\n');
  setInterval(() => {}, 1000);
}
`;

function run(file: string, args: string[], killAfterMillis?: number): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'inherit']});
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (killAfterMillis !== undefined && stdout.includes('called')) setTimeout(() => child.kill('SIGKILL'), killAfterMillis);
    });
    child.on('error', reject);
    child.on('close', () => resolveRun(stdout));
  });
}

test('SIGKILL 50 ms after 10 calls: through MetaRouterLogRecordProcessor with storage all 10 arrive after a restart; through a BatchLogRecordProcessor none (they were in its memory)', { timeout: 60_000 }, async () => {
  // The endpoint is down while the app runs: what survives is what reached the spool.
  const file = join(root, 'child.js');
  writeFileSync(file, CHILD);
  const down = 'http://127.0.0.1:9';
  await run(file, ['proc', down, join(root, 'proc')], 50);
  await run(file, ['batch', down, join(root, 'batch')], 50);
  const server = await startIngestServer();
  assert.match(await run(file, ['drain', server.url, join(root, 'proc')]), /drained/);
  assert.match(await run(file, ['drain', server.url, join(root, 'batch')]), /drained/);
  await server.close();
  const ids = server.accepted.map((message) => message.messageId as string);
  assert.equal(ids.filter((id) => id.startsWith('proc-')).length, 10);
  assert.equal(ids.filter((id) => id.startsWith('batch-')).length, 0);
});
