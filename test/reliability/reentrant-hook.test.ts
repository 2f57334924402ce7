import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';

// The library as this test build compiled it: <build dir>/src, from <build dir>/test/reliability.
const LIBRARY = resolve(__dirname, '..', '..', 'src', 'index.js');

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `source` in a child Node process (the library as `library`, the ingestion URL as `host`) and returns its exit. */
function runChild(source: string, host: string): Promise<Outcome> {
  const script = `const library = require(${JSON.stringify(LIBRARY)}); const host = ${JSON.stringify(host)};\n${source}`;
  return new Promise((done) => {
    execFile(process.execPath, ['-e', script], { timeout: 20_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null, stdout, stderr });
    });
  });
}

/**
 * Starts an ingestion server, runs `source` in a child against it, asserts the child exited 0, and
 * hands `check` the child's stdout as JSON and the server, which is closed afterwards.
 */
async function runAgainstServer<T>(source: string, check: (printed: T, server: IngestServer) => void): Promise<void> {
  const server = await startIngestServer();
  try {
    const outcome = await runChild(source, server.url);
    assert.equal(outcome.code, 0, outcome.stderr);
    check(JSON.parse(outcome.stdout) as T, server);
  } finally {
    await server.close();
  }
}

/** A hook that calls the instance it shapes, with no guard: each call would run the hook again. */
const UNGUARDED = `
  const analytics = new library.Analytics({ writeKey: 'k', host, flushInterval: 5, beforeSend: (message) => { analytics.track({ userId: 'u1', event: 'From the hook' }); return message; } });
`;

test('a hook that calls its own Analytics with no listener: the process lives and exits 0', async () => {
  await runAgainstServer(`${UNGUARDED}
    const id = analytics.track({ userId: 'u1', event: 'Paid' });
    analytics.closeAndFlush().then(() => console.log(JSON.stringify({ id })));`, ({ id }: { id: string }, server) => {
    assert.deepEqual(server.accepted.map((message) => [message.messageId, message.event]), [[id, 'Paid']]);
  });
});

test('a hook that calls its own Analytics: the inner call is not sent and is reported MR_ERR_REENTRANT_CALL by its messageId; the outer one is sent', async () => {
  await runAgainstServer(`
    const inner = [];
    const analytics = new library.Analytics({ writeKey: 'k', host, flushInterval: 5, beforeSend: (message) => { inner.push(analytics.track({ userId: 'u1', event: 'From the hook' })); return message; } });
    const reports = [];
    analytics.on('error', (error) => reports.push([error.code, error.messageIds]));
    const id = analytics.track({ userId: 'u1', event: 'Paid' });
    analytics.closeAndFlush().then(() => console.log(JSON.stringify({ id, inner, reports })));`, ({ id, inner, reports }: { id: string; inner: string[]; reports: unknown[] }, server) => {
    assert.equal(inner.length, 1);
    assert.deepEqual(reports, [['MR_ERR_REENTRANT_CALL', inner]]);
    assert.deepEqual(server.accepted.map((message) => [message.messageId, message.event]), [[id, 'Paid']]);
  });
});

test('two instances whose hooks call each other: the cycle is cut where it comes back, and the process exits 0', async () => {
  await runAgainstServer(`
    const options = { writeKey: 'k', host, flushInterval: 5 };
    const reports = [];
    const a = new library.Analytics({ ...options, beforeSend: (message) => { b.track({ userId: 'u1', event: 'From a' }); return message; } });
    const b = new library.Analytics({ ...options, beforeSend: (message) => { a.track({ userId: 'u1', event: 'From b' }); return message; } });
    a.on('error', (error) => reports.push(['a', error.code]));
    b.on('error', (error) => reports.push(['b', error.code]));
    a.track({ userId: 'u1', event: 'Paid' });
    Promise.all([a.closeAndFlush(), b.closeAndFlush()]).then(() => console.log(JSON.stringify({ reports })));`, ({ reports }: { reports: unknown[] }, server) => {
    assert.deepEqual(reports, [['a', 'MR_ERR_REENTRANT_CALL']]);
    assert.deepEqual(server.accepted.map((message) => message.event).sort(), ['From a', 'Paid']);
  });
});

test('an exporter whose hook calls the Analytics feeding it through a synchronous processor: the record that comes back is reported, the process exits 0', async () => {
  await runAgainstServer(`
    const { LoggerProvider, SimpleLogRecordProcessor } = require('@opentelemetry/sdk-logs');
    const reports = [];
    let analytics;
    const exporter = new library.MetaRouterLogRecordExporter({ writeKey: 'k', host, flushInterval: 5, beforeSend: (message) => { analytics.track({ userId: 'u1', event: 'From the hook', messageId: 'inner' }); return message; } });
    exporter.on('error', (error) => reports.push([error.code, error.messageIds]));
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    analytics = new library.Analytics({ writeKey: 'k', host, loggerProvider: provider });
    analytics.track({ userId: 'u1', event: 'Paid', messageId: 'outer' });
    provider.shutdown().then(() => console.log(JSON.stringify({ reports })));`, ({ reports }: { reports: unknown[] }, server) => {
    assert.deepEqual(reports, [['MR_ERR_REENTRANT_CALL', ['inner']]]);
    assert.deepEqual(server.accepted.map((message) => message.messageId), ['outer']);
  });
});

test('a hook whose returned message calls its own Analytics from a getter: reading the result is guarded like the hook, so the inner call is refused and the outer one sent', async () => {
  await runAgainstServer(`
    const inner = [];
    const analytics = new library.Analytics({ writeKey: 'k', host, flushInterval: 5, beforeSend: (message) => ({
      ...message,
      properties: { get plan() { inner.push(analytics.track({ userId: 'u1', event: 'From the getter' })); return 'pro'; } },
    }) });
    const reports = [];
    analytics.on('error', (error) => reports.push([error.code, error.messageIds]));
    const id = analytics.track({ userId: 'u1', event: 'Paid' });
    analytics.closeAndFlush().then(() => console.log(JSON.stringify({ id, inner, reports })));`, ({ id, inner, reports }: { id: string; inner: string[]; reports: unknown[] }, server) => {
    assert.equal(inner.length, 1, 'the getter ran once: its call did not run the hook again');
    assert.deepEqual(reports, [['MR_ERR_REENTRANT_CALL', inner]]);
    assert.deepEqual(server.accepted.map((message) => [message.messageId, message.event, (message.properties as { plan?: unknown }).plan]), [[id, 'Paid', 'pro']]);
  });
});
