import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { OK, refusedUrl, reply, startFaultServer, type FaultScript, type FaultServer } from '../helpers/fault-server.js';

// The built package, as an application would load it: <repo>/dist, from <build dir>/test/process.
const REPO = resolve(__dirname, '..', '..', '..');
const DIST_CJS = join(REPO, 'dist', 'index.js');

/**
 * A guard, not a measurement: shorter than anything a leaked timer or socket would hold the child
 * for here (the default 10 s flushInterval and httpRequestTimeout, a 30 s Retry-After).
 */
const GUARD_MILLIS = 8000;

let dir: string;
before(async () => {
  if (!existsSync(DIST_CJS)) throw new Error(`${DIST_CJS} does not exist: these tests run the built package; build it first (npm run build)`);
  dir = await mkdtemp(join(tmpdir(), 'metarouter-otel-signals-'));
});
after(() => rm(dir, { recursive: true, force: true }));

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: Array<Record<string, unknown>>;
  stderr: string;
  /** True when the guard had to kill the child. */
  killed: boolean;
}

/**
 * Runs `source` (CommonJS, requiring the built package as `DIST`) in a child process. When the child
 * prints `{"ready":true}` and `signal` is given, the child gets that signal.
 */
async function runChild(name: string, source: string, env: Record<string, string>, signal?: NodeJS.Signals): Promise<Outcome> {
  const file = join(dir, name);
  await writeFile(file, `const DIST = ${JSON.stringify(DIST_CJS)};\n${source}`);
  return new Promise((resolveOutcome) => {
    const child = spawn(process.execPath, [file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let signalled = false;
    const guard = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, GUARD_MILLIS);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (signal !== undefined && !signalled && stdout.includes('{"ready":true}')) {
        signalled = true;
        child.kill(signal);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code, closedBy) => {
      clearTimeout(guard);
      const lines = stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      resolveOutcome({ code, signal: closedBy, lines, stderr, killed });
    });
  });
}

function assertExitedWithZero(outcome: Outcome, label: string): void {
  assert.equal(outcome.killed, false, `${label}: the child did not exit by itself before the ${GUARD_MILLIS} ms guard; stderr: ${outcome.stderr}`);
  assert.equal(outcome.signal, null, `${label}: ended by signal ${String(outcome.signal)}; stderr: ${outcome.stderr}`);
  assert.equal(outcome.code, 0, `${label}: exit code; stderr: ${outcome.stderr}`);
  assert.equal(outcome.stderr, '', `${label}: nothing on stderr`);
}

/** The documented pattern: on SIGTERM, close with a deadline, then exit. */
const SIGTERM_HANDLER = `
process.once('SIGTERM', async () => {
  await analytics.closeAndFlush({ timeout: Number(process.env.CLOSE_TIMEOUT) });
  process.stdout.write(JSON.stringify({ closed: true, counters: analytics.counters }) + '\\n');
  process.exit(0);
});
`;

/** The app's own work keeps the event loop busy (as an HTTP server would) until the signal. */
const KEEP_ALIVE = `setInterval(() => {}, 1000);\n`;

const REPORT_ERRORS = `analytics.on('error', (error) => process.stdout.write(JSON.stringify({ code: error.code, messageIds: error.messageIds }) + '\\n'));\n`;

/** Tracks COUNT messages, prints their ids and then the ready line. */
const TRACK_AND_SAY_READY = `
const ids = [];
for (let i = 0; i < Number(process.env.COUNT); i++) ids.push(analytics.track({ userId: 'user-' + (i % 50), event: 'Before SIGTERM', properties: { i } }));
process.stdout.write(JSON.stringify({ ids }) + '\\n');
process.stdout.write(JSON.stringify({ ready: true }) + '\\n');
`;

function idsOf(outcome: Outcome): string[] {
  const printed = outcome.lines.find((line) => Array.isArray(line.ids));
  assert.ok(printed !== undefined, 'the child printed its messageIds');
  return printed.ids as string[];
}

function reportsOf(outcome: Outcome): Array<{ code: string; messageIds: string[] }> {
  return outcome.lines.filter((line) => typeof line.code === 'string') as Array<{ code: string; messageIds: string[] }>;
}

async function withServer<T>(script: FaultScript, use: (server: FaultServer) => Promise<T>): Promise<T> {
  const server = await startFaultServer(script);
  try {
    return await use(server);
  } finally {
    await server.close();
  }
}

test('SIGTERM with 8,000 messages queued or in flight and the server up (answering slowly): the handler delivers every one before exit 0', { timeout: 20_000 }, async () => {
  await withServer(
    async () => {
      await sleep(100);
      return OK;
    },
    async (server) => {
      const source = `const { Analytics } = require(DIST);
const analytics = new Analytics({ writeKey: 'signal-key', host: process.env.INGEST_URL, flushAt: 10000, flushInterval: 60000 });
${REPORT_ERRORS}${SIGTERM_HANDLER}${KEEP_ALIVE}${TRACK_AND_SAY_READY}`;
      const outcome = await runChild('sigterm-up.cjs', source, { INGEST_URL: server.url, COUNT: '8000', CLOSE_TIMEOUT: '6000' }, 'SIGTERM');
      assertExitedWithZero(outcome, 'sigterm-up.cjs');

      const ids = idsOf(outcome);
      assert.equal(ids.length, 8000);
      assert.deepEqual(reportsOf(outcome), [], 'nothing reported');
      const ingested = server.ingestedIds();
      assert.equal(ingested.length, 8000, 'each message ingested once');
      assert.deepEqual(new Set(ingested), new Set(ids), 'every message queued at SIGTERM was delivered');
      const closed = outcome.lines.find((line) => line.closed === true) as { counters: Record<string, number> } | undefined;
      assert.ok(closed !== undefined, 'the handler finished closeAndFlush before exiting');
      assert.equal(closed.counters.delivered, 8000);
      assert.equal(closed.counters.dropped, 0);
    },
  );
});

test('SIGTERM with the server down (it never answers): the handler exits 0 within the bounded time and reports MR_ERR_SHUTDOWN_TIMEOUT naming every undelivered message', { timeout: 20_000 }, async () => {
  await withServer(
    () => ({ kind: 'stall' }),
    async (server) => {
      const source = `const { Analytics } = require(DIST);
const analytics = new Analytics({ writeKey: 'signal-key', host: process.env.INGEST_URL, flushAt: 10 });
${REPORT_ERRORS}${SIGTERM_HANDLER}${KEEP_ALIVE}${TRACK_AND_SAY_READY}`;
      const outcome = await runChild('sigterm-stalled.cjs', source, { INGEST_URL: server.url, COUNT: '50', CLOSE_TIMEOUT: '500' }, 'SIGTERM');
      assertExitedWithZero(outcome, 'sigterm-stalled.cjs');

      const ids = idsOf(outcome);
      const reports = reportsOf(outcome);
      assert.deepEqual(
        [...new Set(reports.map((report) => report.code))],
        ['MR_ERR_SHUTDOWN_TIMEOUT'],
      );
      const reported = reports.flatMap((report) => report.messageIds);
      assert.equal(reported.length, 50, 'each message reported once');
      assert.deepEqual(new Set(reported), new Set(ids), 'the report lists every undelivered message');
      assert.deepEqual(server.ingestedIds(), []);
      assert.ok(outcome.lines.some((line) => line.closed === true), 'closeAndFlush resolved before the exit');
    },
  );
});

test('SIGTERM with the server refusing connections: exit 0 within the bounded time, every message reported (retries exhausted or shutdown timeout)', { timeout: 20_000 }, async () => {
  const url = await refusedUrl();
  const source = `const { Analytics } = require(DIST);
const analytics = new Analytics({ writeKey: 'signal-key', host: process.env.INGEST_URL, flushAt: 10 });
${REPORT_ERRORS}${SIGTERM_HANDLER}${KEEP_ALIVE}${TRACK_AND_SAY_READY}`;
  const outcome = await runChild('sigterm-refused.cjs', source, { INGEST_URL: url, COUNT: '50', CLOSE_TIMEOUT: '500' }, 'SIGTERM');
  assertExitedWithZero(outcome, 'sigterm-refused.cjs');

  const ids = idsOf(outcome);
  const reports = reportsOf(outcome);
  for (const report of reports) assert.ok(['MR_ERR_SHUTDOWN_TIMEOUT', 'MR_ERR_RETRIES_EXHAUSTED'].includes(report.code), report.code);
  const reported = reports.flatMap((report) => report.messageIds);
  assert.equal(reported.length, 50);
  assert.deepEqual(new Set(reported), new Set(ids));
});

test('beforeExit drain with the server down (503 every time, and refused): a script that simply ends exits 0 by itself once maxRetryDuration passes, reporting every message', { timeout: 30_000 }, async () => {
  const source = `const { Analytics } = require(DIST);
const analytics = new Analytics({ writeKey: 'signal-key', host: process.env.INGEST_URL, maxRetryDuration: 1500 });
${REPORT_ERRORS}${TRACK_AND_SAY_READY}`;
  // The two children run side by side: each waits out its own maxRetryDuration.
  const refusing = refusedUrl().then((url) => runChild('drain-refused.cjs', source, { INGEST_URL: url, COUNT: '5' }));
  await withServer(
    () => reply(503),
    async (server) => {
      const outcome = await runChild('drain-503.cjs', source, { INGEST_URL: server.url, COUNT: '5' });
      assertExitedWithZero(outcome, 'drain-503.cjs');
      const reports = reportsOf(outcome);
      assert.deepEqual(reports.map((report) => report.code), ['MR_ERR_RETRIES_EXHAUSTED']);
      assert.deepEqual(new Set(reports[0]!.messageIds), new Set(idsOf(outcome)));
      assert.ok(server.requests.length >= 2, 'the drain retried before giving up');
    },
  );
  const outcome = await refusing;
  assertExitedWithZero(outcome, 'drain-refused.cjs');
  assert.deepEqual(new Set(reportsOf(outcome).flatMap((report) => report.messageIds)), new Set(idsOf(outcome)));
});

test('no timer or socket keeps a process alive: after closeAndFlush against a stalled server, or during a 30 s Retry-After, the script ends by itself', { timeout: 30_000 }, async () => {
  const closeThenEnd = `const { Analytics } = require(DIST);
const analytics = new Analytics({ writeKey: 'signal-key', host: process.env.INGEST_URL, flushAt: 1 });
${REPORT_ERRORS}${TRACK_AND_SAY_READY}
setTimeout(() => analytics.closeAndFlush({ timeout: 300 }).then(() => process.stdout.write(JSON.stringify({ closed: true }) + '\\n')), 200);
`;
  await Promise.all([
    withServer(
      () => ({ kind: 'stall' }),
      async (server) => {
        const outcome = await runChild('close-stalled.cjs', closeThenEnd, { INGEST_URL: server.url, COUNT: '3' });
        assertExitedWithZero(outcome, 'close-stalled.cjs');
        assert.ok(outcome.lines.some((line) => line.closed === true));
        assert.deepEqual(new Set(reportsOf(outcome).flatMap((report) => report.messageIds)), new Set(idsOf(outcome)));
      },
    ),
    withServer(
      () => reply(429, { headers: { 'retry-after': '30' } }),
      async (server) => {
        const outcome = await runChild('close-during-retry-after.cjs', closeThenEnd, { INGEST_URL: server.url, COUNT: '3' });
        assertExitedWithZero(outcome, 'close-during-retry-after.cjs');
        assert.deepEqual(new Set(reportsOf(outcome).flatMap((report) => report.messageIds)), new Set(idsOf(outcome)));
      },
    ),
  ]);
});
