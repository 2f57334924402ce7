import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startSink, type Sink } from '../../src/index.js';

const run = promisify(execFile);
// Compiled to <build dir>/test/examples/: the repository is three levels up.
const root = join(__dirname, '..', '..', '..');
/** A guard against a hung child, not a measurement. */
const CHILD_TIMEOUT_MILLIS = 30_000;

/** The environment of a user's shell, without our variables, so that an example picks its own sink. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (extra.METAROUTER_HOST === undefined) delete env.METAROUTER_HOST;
  delete env.METAROUTER_WRITE_KEY;
  return env;
}

async function runExample(file: string, extraEnv: Record<string, string> = {}): Promise<string> {
  const { stdout, stderr } = await run(process.execPath, [join(root, 'examples', file)], { cwd: root, env: cleanEnv(extraEnv), timeout: CHILD_TIMEOUT_MILLIS });
  assert.equal(stderr, '', `${file} printed nothing to stderr`);
  return stdout;
}

/** An ingestion endpoint outside the example, as `npx metarouter-otel sink` would be. */
let external: Sink;
before(async () => {
  external = await startSink({ port: 0 });
});
after(async () => {
  await external.close();
});

function receivedFrom(printedIds: string[]): Record<string, unknown>[] {
  return external.messages.filter((message) => printedIds.includes(message.messageId as string));
}

test('express-sdk-node: a NodeSDK + HTTP-instrumented Express 5 service delivers the handler\'s track call and span event, both with the server span\'s trace id', async () => {
  const stdout = await runExample('express-sdk-node.mjs');
  assert.match(stdout, /sink received .*"Order Completed".*trace=[0-9a-f]{32}/);
  assert.match(stdout, /sink received .*"Coupon Applied".*trace=[0-9a-f]{32}/);
  assert.match(stdout, /^2 messages delivered, 2 with the HTTP server span's trace id in context\.otel: OK$/m);
});

test('express-sdk-node with METAROUTER_HOST: the messages reach that endpoint, carrying the trace id the example printed', async () => {
  const stdout = await runExample('express-sdk-node.mjs', { METAROUTER_HOST: external.url });
  const [, traceId, messageId] = /trace ([0-9a-f]{32}), track call messageId (\S+)/.exec(stdout) ?? [];
  assert.ok(traceId !== undefined && messageId !== undefined, `the example printed its trace id and messageId: ${stdout}`);
  const fromTrace = external.messages.filter((message) => (message.context as { otel?: { traceId?: string } }).otel?.traceId === traceId);
  assert.deepEqual(fromTrace.map((message) => message.event).sort(), ['Coupon Applied', 'Order Completed']);
  assert.ok(fromTrace.some((message) => message.messageId === messageId), 'the track call arrived under its messageId');
});

test('serverless-handler: each of 3 invocations has its events delivered before it returns, and nothing accumulates', async () => {
  const stdout = await runExample('serverless-handler.mjs');
  for (const invocation of [1, 2, 3]) assert.match(stdout, new RegExp(`^invocation ${invocation}: returned 200, 2 of 2 delivered before the handler returned$`, 'm'));
  for (const invocation of [1, 2, 3]) assert.match(stdout, new RegExp(`^invocation ${invocation}: whenDelivered\\(track\\) delivered, 0 messages still pending after flush$`, 'm'));
  assert.match(stdout, /^after 3 invocations: 0 process listeners added, 0 timers holding the process$/m);
  assert.match(stdout, /^6 messages delivered, 6 of them before their invocation returned, nothing left behind: OK$/m);
});

test('serverless-handler with METAROUTER_HOST: the 6 messages of the 3 invocations reach that endpoint', async () => {
  const before = external.messages.length;
  const stdout = await runExample('serverless-handler.mjs', { METAROUTER_HOST: external.url });
  assert.equal((stdout.match(/^invocation \d: returned 200, sent before the handler returned$/gm) ?? []).length, 3);
  const arrived = external.messages.slice(before);
  assert.deepEqual(arrived.map((message) => `${message.type as string} ${message.userId as string}`).sort(), [
    'identify user-1',
    'identify user-2',
    'identify user-3',
    'track user-1',
    'track user-2',
    'track user-3',
  ]);
});

test('worker: a script that tracks and simply ends (no flush) exits on its own and its messages are delivered', async () => {
  const stdout = await runExample('worker.mjs');
  assert.equal((stdout.match(/^worker: job-\d done, messageId \S+$/gm) ?? []).length, 3);
  assert.match(stdout, /^worker exited on its own with 0; 3 of its 3 messages delivered: OK$/m);
});

test('worker with METAROUTER_HOST: the worker itself exits on its own and its 3 messages reach that endpoint', async () => {
  const stdout = await runExample('worker.mjs', { METAROUTER_HOST: external.url });
  const printed = [...stdout.matchAll(/messageId (\S+)/g)].map((match) => match[1]!);
  assert.equal(printed.length, 3, stdout);
  assert.deepEqual(receivedFrom(printed).map((message) => message.event), ['Import Job Finished', 'Import Job Finished', 'Import Job Finished']);
});
