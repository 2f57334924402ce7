import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MetaRouterLogRecordExporter, MetaRouterSpanExporter, type DeliveryError, type DeliveryOptions, type MetaRouterError } from '../../src/index.js';
import { startIngestServer, type IngestServer, type Script } from '../helpers/ingest-server.js';
import { tracerProvider } from '../helpers/otel.js';

/** What the contract tests need from one exporter kind: the exporter, and real SDK items to feed it. */
interface Kind<T> {
  readonly name: string;
  create(options: DeliveryOptions): MetaRouterLogRecordExporter | MetaRouterSpanExporter;
  /** A valid analytics track item whose message carries `messageId`. */
  valid(messageId: string): T;
  /** An analytics.track item without `event` (not a valid message) that carries `messageId`. */
  invalid(messageId: string): T;
  /** An item that holds no analytics event at all. */
  plain(): T;
}

/** Real ReadableLogRecords, made by a real sdk-logs LoggerProvider (not registered globally). */
function logRecord(record: Parameters<ReturnType<LoggerProvider['getLogger']>['emit']>[0]): ReadableLogRecord {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  provider.getLogger('app').emit(record);
  const [readable] = memory.getFinishedLogRecords();
  void provider.shutdown();
  return readable!;
}

/** Real ReadableSpans, made by a real sdk-trace-base provider (not registered globally). */
function finishedSpan(events: Array<{ name: string; attributes: Record<string, string> }>): ReadableSpan {
  const { provider, tracer, finished } = tracerProvider();
  const span = tracer.startSpan('work');
  for (const event of events) span.addEvent(event.name, event.attributes);
  span.end();
  const [readable] = finished.getFinishedSpans();
  void provider.shutdown();
  return readable!;
}

const logKind: Kind<ReadableLogRecord> = {
  name: 'MetaRouterLogRecordExporter',
  create: (options) => new MetaRouterLogRecordExporter(options),
  valid: (messageId) => logRecord({ eventName: 'analytics.track', body: { userId: 'u1', event: 'Signed Up', messageId } }),
  invalid: (messageId) => logRecord({ eventName: 'analytics.track', body: { userId: 'u1', messageId } }),
  plain: () => logRecord({ body: 'hello' }),
};

const spanKind: Kind<ReadableSpan> = {
  name: 'MetaRouterSpanExporter',
  create: (options) => new MetaRouterSpanExporter(options),
  valid: (messageId) =>
    finishedSpan([{ name: 'analytics.track', attributes: { 'analytics.user_id': 'u1', 'analytics.event': 'Signed Up', 'analytics.message_id': messageId } }]),
  invalid: (messageId) => finishedSpan([{ name: 'analytics.track', attributes: { 'analytics.user_id': 'u1', 'analytics.message_id': messageId } }]),
  plain: () => finishedSpan([{ name: 'exception', attributes: { 'exception.message': 'boom' } }]),
};

function exportItems<T>(exporter: { export(items: T[], done: (result: ExportResult) => void): void }, items: T[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items, resolve));
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function withExporter<T>(
  kind: Kind<T>,
  options: Omit<DeliveryOptions, 'writeKey' | 'host'>,
  script: Script | undefined,
  body: (exporter: MetaRouterLogRecordExporter | MetaRouterSpanExporter, server: IngestServer, errors: MetaRouterError[]) => Promise<void>,
): Promise<void> {
  const server = await startIngestServer(script);
  const exporter = kind.create({ writeKey: 'k', host: server.url, ...options });
  const errors: MetaRouterError[] = [];
  exporter.on('error', (error) => errors.push(error));
  try {
    await body(exporter, server, errors);
  } finally {
    await exporter.shutdown();
    await server.close();
  }
}

for (const kind of [logKind, spanKind] as Kind<unknown>[]) {
  test(`${kind.name}: export calls back SUCCESS once the analytics records are queued (and for items holding none)`, async () => {
    await withExporter(kind, { flushInterval: 60_000 }, undefined, async (exporter, server, errors) => {
      const result = await exportItems(exporter, [kind.valid('ok-1'), kind.plain()]);
      assert.deepEqual(result, { code: ExportResultCode.SUCCESS });
      assert.equal(exporter.counters.accepted, 1, 'queued, not yet sent');
      assert.equal(server.requests.length, 0);
      assert.deepEqual(await exportItems(exporter, [kind.plain()]), { code: ExportResultCode.SUCCESS });

      await exporter.forceFlush();
      assert.deepEqual(server.accepted.map((message) => message.messageId), ['ok-1']);
      assert.deepEqual(errors, []);
    });
  });

  test(`${kind.name}: export calls back SUCCESS when an analytics record was invalid, and reports it by its messageId`, async () => {
    await withExporter(kind, { flushInterval: 60_000 }, undefined, async (exporter, server, errors) => {
      const result = await exportItems(exporter, [kind.invalid('bad-1'), kind.valid('ok-2')]);
      assert.deepEqual(result, { code: ExportResultCode.SUCCESS }, 'a FAILED would make the SDK processors reject flush and skip our shutdown');
      assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_INVALID_RECORD']);
      assert.deepEqual((errors[0] as DeliveryError).messageIds, ['bad-1']);

      await exporter.forceFlush();
      assert.deepEqual(server.accepted.map((message) => message.messageId), ['ok-2'], 'the valid record of the same export is sent');
    });
  });

  test(`${kind.name}: export calls back SUCCESS when the delivery queue is full, and the drop is reported`, async () => {
    await withExporter(kind, { flushInterval: 60_000, maxQueueSize: 1 }, undefined, async (exporter, server, errors) => {
      assert.deepEqual(await exportItems(exporter, [kind.valid('fits')]), { code: ExportResultCode.SUCCESS });
      assert.deepEqual(await exportItems(exporter, [kind.valid('overflow')]), { code: ExportResultCode.SUCCESS });

      await exporter.forceFlush();
      assert.deepEqual(server.accepted.map((message) => message.messageId), ['fits']);
      const queueFull = errors.filter((error) => error.code === 'MR_ERR_QUEUE_FULL');
      assert.equal(queueFull.length, 1);
      assert.deepEqual((queueFull[0] as DeliveryError).messageIds, ['overflow']);
    });
  });

  test(`${kind.name}: forceFlush resolves only after the server answered the request in flight`, async () => {
    let release!: () => void;
    const answer = new Promise<void>((resolve) => (release = resolve));
    const script: Script = async () => {
      await answer;
      return { status: 200 };
    };
    await withExporter(kind, { flushAt: 1 }, script, async (exporter, server) => {
      assert.deepEqual(await exportItems(exporter, [kind.valid('in-flight')]), { code: ExportResultCode.SUCCESS });
      await until(() => server.requests.length === 1, 'the request to reach the server');

      let flushed = false;
      const flushing = exporter.forceFlush().then(() => {
        flushed = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(flushed, false, 'forceFlush waits while the request is unanswered');
      assert.equal(exporter.counters.delivered, 0);

      release();
      await flushing;
      assert.equal(exporter.counters.delivered, 1, 'the answer was handled before forceFlush resolved');
      assert.deepEqual(server.accepted.map((message) => message.messageId), ['in-flight']);
    });
  });

  test(`${kind.name}: shutdown delivers what is queued, is idempotent, and later exports are reported with MR_ERR_CLOSED`, async () => {
    await withExporter(kind, { flushInterval: 60_000 }, undefined, async (exporter, server, errors) => {
      assert.deepEqual(await exportItems(exporter, [kind.valid('before-close')]), { code: ExportResultCode.SUCCESS });
      await Promise.all([exporter.shutdown(), exporter.shutdown()]);
      await exporter.shutdown();
      assert.deepEqual(server.accepted.map((message) => message.messageId), ['before-close'], 'shutdown flushed the queue');

      const late = await exportItems(exporter, [kind.valid('after-close')]);
      assert.equal(late.code, ExportResultCode.FAILED);
      assert.ok(late.error instanceof Error);
      const closed = errors.filter((error) => error.code === 'MR_ERR_CLOSED');
      assert.equal(closed.length, 1);
      assert.deepEqual((closed[0] as DeliveryError).messageIds, ['after-close']);
      await exporter.forceFlush();
      assert.equal(server.requests.length, 1, 'nothing was sent after shutdown');
    });
  });
}
