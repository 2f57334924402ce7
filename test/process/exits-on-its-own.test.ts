import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';

// The built package, as an application would load it: <repo>/dist, from <build dir>/test/process.
const REPO = resolve(__dirname, '..', '..', '..');
const DIST_CJS = join(REPO, 'dist', 'index.js');
const DIST_ESM = join(REPO, 'dist', 'index.mjs');

/**
 * A guard, not a measurement: it is shorter than the default flushInterval (10 s), so a child that
 * only ended because that timer fired (a timer holding the process) is killed and fails.
 */
const KILL_AFTER_MILLIS = 9_000;

let server: IngestServer;
let dir: string;
before(async () => {
  for (const file of [DIST_CJS, DIST_ESM]) {
    if (!existsSync(file)) throw new Error(`${file} does not exist: these tests run the built package; build it first (npm run build)`);
  }
  server = await startIngestServer();
  dir = await mkdtemp(join(tmpdir(), 'metarouter-otel-process-'));
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Writes `source` to a temp file and runs it with this Node binary, in a clean environment. */
async function runScript(name: string, source: string, env: Record<string, string>, killAfterMillis = KILL_AFTER_MILLIS): Promise<Outcome> {
  const file = join(dir, name);
  await writeFile(file, source);
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [file], { env, timeout: killAfterMillis, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const failure = error as (Error & { code?: number | string; signal?: NodeJS.Signals | null }) | null;
      resolvePromise({
        code: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null,
        signal: failure?.signal ?? null,
        stdout,
        stderr,
      });
    });
  });
}

function assertExitedCleanly(outcome: Outcome, label: string): void {
  assert.equal(outcome.signal, null, `${label}: the child was killed (${String(outcome.signal)}) instead of exiting on its own; stderr: ${outcome.stderr}`);
  assert.equal(outcome.code, 0, `${label}: exit code; stderr: ${outcome.stderr}`);
  assert.equal(outcome.stderr, '', `${label}: the library printed nothing to stderr`);
}

/** The JSON lines a child printed. */
function linesOf(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

const TRACK_THREE = `
const analytics = new Analytics({ writeKey: 'child-key', host: process.env.INGEST_URL });
const ids = [];
for (let i = 0; i < 3; i++) ids.push(analytics.track({ userId: 'child-' + i, event: process.env.EVENT }));
process.stdout.write(JSON.stringify({ ids }) + '\\n');
`;

async function assertDeliveredByChild(outcome: Outcome, event: string): Promise<void> {
  const [printed] = linesOf(outcome.stdout) as Array<{ ids: string[] }>;
  assert.ok(printed !== undefined && printed.ids.length === 3, `the child printed its 3 messageIds: ${outcome.stdout}`);
  const requests = server.requests.filter((request) => request.body.batch.some((message) => message.event === event));
  const received = requests.flatMap((request) => request.messageIds);
  assert.deepEqual(received.sort(), [...printed.ids].sort(), 'the server received every message of the child, once');
  for (const request of requests) {
    assert.equal(request.headers.authorization, `Basic ${Buffer.from('child-key:').toString('base64')}`);
  }
}

test('a CommonJS script that tracks 3 events and simply ends (no flush, default flushInterval) delivers them and exits with 0', async () => {
  const source = `const { Analytics } = require(${JSON.stringify(DIST_CJS)});\n${TRACK_THREE}`;
  const outcome = await runScript('track-and-end.cjs', source, { INGEST_URL: server.url, EVENT: 'CJS End' });
  assertExitedCleanly(outcome, 'track-and-end.cjs');
  await assertDeliveredByChild(outcome, 'CJS End');
});

test('an ES module script importing dist/index.mjs that tracks 3 events and ends delivers them and exits with 0', async () => {
  const source = `import { Analytics } from ${JSON.stringify(DIST_ESM)};\n${TRACK_THREE}`;
  const outcome = await runScript('track-and-end.mjs', source, { INGEST_URL: server.url, EVENT: 'ESM End' });
  assertExitedCleanly(outcome, 'track-and-end.mjs');
  await assertDeliveredByChild(outcome, 'ESM End');
});

test('a script whose server is down (connection refused, maxRetries 1) reports the drop and exits on its own with 0', { timeout: 30_000 }, async () => {
  const probe = createServer();
  await new Promise<void>((ready) => probe.listen(0, '127.0.0.1', ready));
  const refused = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((closed) => probe.close(() => closed()));

  const source = `const { Analytics } = require(${JSON.stringify(DIST_CJS)});
const analytics = new Analytics({ writeKey: 'child-key', host: process.env.INGEST_URL, maxRetries: 1 });
analytics.on('error', (error) => process.stdout.write(JSON.stringify({ code: error.code, messageIds: error.messageIds }) + '\\n'));
const id = analytics.track({ userId: 'down', event: 'Server Down' });
process.stdout.write(JSON.stringify({ id }) + '\\n');
`;
  const outcome = await runScript('server-down.cjs', source, { INGEST_URL: refused }, 28_000);
  assertExitedCleanly(outcome, 'server-down.cjs');
  const lines = linesOf(outcome.stdout) as Array<{ id?: string; code?: string; messageIds?: string[] }>;
  const id = lines[0]?.id;
  assert.ok(id !== undefined, `the child printed its messageId: ${outcome.stdout}`);
  assert.deepEqual(lines.slice(1), [{ code: 'MR_ERR_RETRIES_EXHAUSTED', messageIds: [id] }], 'the drop was reported before the exit');
});

test('an idle script that only creates an Analytics exits with 0 and sends nothing', async () => {
  const before = server.requests.length;
  const source = `const { Analytics } = require(${JSON.stringify(DIST_CJS)});
new Analytics({ writeKey: 'child-key', host: process.env.INGEST_URL });
`;
  const outcome = await runScript('idle.cjs', source, { INGEST_URL: server.url });
  assertExitedCleanly(outcome, 'idle.cjs');
  assert.equal(outcome.stdout, '');
  assert.equal(server.requests.length, before, 'nothing was sent');
});

test('an idle ES module script that creates an Analytics, and one that flushed and stays idle, both exit with 0', async () => {
  const idle = `import { Analytics } from ${JSON.stringify(DIST_ESM)};
new Analytics({ writeKey: 'child-key', host: process.env.INGEST_URL });
`;
  assertExitedCleanly(await runScript('idle.mjs', idle, { INGEST_URL: server.url }), 'idle.mjs');

  // After a delivered flush the keep-alive connection pool is idle: it must not hold the process either.
  const flushed = `import { Analytics } from ${JSON.stringify(DIST_ESM)};
const analytics = new Analytics({ writeKey: 'child-key', host: process.env.INGEST_URL });
const id = analytics.track({ userId: 'flushed', event: 'Flushed Then Idle' });
await analytics.flush();
process.stdout.write(JSON.stringify({ id }) + '\\n');
`;
  const outcome = await runScript('flushed-then-idle.mjs', flushed, { INGEST_URL: server.url });
  assertExitedCleanly(outcome, 'flushed-then-idle.mjs');
  const [printed] = linesOf(outcome.stdout) as Array<{ id: string }>;
  assert.ok(server.requests.some((request) => request.messageIds.includes(printed!.id)), 'the flushed message arrived');
});
