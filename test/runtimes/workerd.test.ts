import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { Miniflare } from 'miniflare';
import { OK, reply, retryAfter, startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { packAndInstall, REPO, type PackedPackage } from '../helpers/packed-package.js';
import { bundleWorker } from '../helpers/worker-bundle.js';

const WRITE_KEY = 'workers-write-key';
/** A date workerd of the installed miniflare knows: the runtime's behaviour as a worker deployed today gets it. */
const COMPATIBILITY_DATE = '2026-04-01';
/** Guards against a hang: a dispatch, a flush or a dispose past these fails the test instead of stalling the suite. Nothing here measures speed. */
const DISPATCH_BOUND_MILLIS = 15_000;
const SETTLE_BOUND_MILLIS = 40_000;
/** The workerd binary miniflare runs, from the platform package npm installs beside `workerd`. */
const WORKERD_PACKAGE = `@cloudflare/workerd-${process.platform}-${process.arch === 'x64' ? '64' : process.arch}`;
const WORKERD = join(REPO, 'node_modules', WORKERD_PACKAGE, 'bin', 'workerd');

/** The state a harness keeps beside the worker under test, read at `/__state`. */
interface WorkerState {
  /** ctx.waitUntil calls, and how many of their promises settled. */
  flushes: number;
  settled: number;
  errors: Array<{ code: string; message: string; messageIds: string[]; cause: string }>;
  counters: { accepted: number; delivered: number; pending: number; retries: number; requests: number };
}

/**
 * Test-only entry around an example worker: the same handler, with `ctx.waitUntil` counting the
 * promises it is given and when they settle, and `/__state` reporting that, the errors reported
 * on `analytics.on('error')` and the counters.
 */
function harness(workerModule: string): string {
  return `import worker from './${workerModule}';
import { analytics } from './worker.mjs';

const state = { flushes: 0, settled: 0, errors: [] };
analytics.on('error', (error) => state.errors.push({ code: error.code, message: error.message, messageIds: error.messageIds ?? [], cause: String(error.cause ?? '') }));

export default {
  async fetch(request, env, ctx) {
    const path = new URL(request.url).pathname;
    if (path === '/__state') return Response.json({ ...state, counters: analytics.counters });
    // The mistake this guards against: a flush nobody hands to ctx.waitUntil, so its request ends (and workerd cancels its send) mid-flight.
    // Calls after close are refused and reported, one report each, in the request that makes them.
    if (path === '/__after-close') {
      await analytics.closeAndFlush();
      const count = Number(new URL(request.url).searchParams.get('calls'));
      for (let i = 0; i < count; i++) analytics.track({ anonymousId: 'late', event: 'Called After Close' });
      return Response.json({ count });
    }
    if (path === '/__unwaited') {
      const messageId = analytics.track({ anonymousId: 'unwaited', event: 'Flushed Without waitUntil' });
      void analytics.flush();
      return Response.json({ messageId });
    }
    const waitUntil = (promise) => {
      state.flushes++;
      ctx.waitUntil(promise.then(() => void state.settled++));
    };
    return worker.fetch(request, env, { waitUntil, passThroughOnException: () => ctx.passThroughOnException() });
  },
};
`;
}

let packed: PackedPackage;
let server: FaultServer;
const bundles = { plain: '', traced: '' };

function versionOf(name: string): string {
  return (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

before(async () => {
  const tracing = ['@opentelemetry/context-async-hooks', '@opentelemetry/sdk-trace-base'].map((name) => `${name}@${versionOf(name)}`);
  packed = await packAndInstall(['@opentelemetry/api@~1.9.0', ...tracing]);
  server = await startFaultServer();
  await packed.installed;
  for (const file of ['worker.mjs', 'tracing.mjs', 'traced-worker.mjs']) await copyFile(join(REPO, 'examples', 'workers', file), join(packed.consumer, file));
  await writeFile(join(packed.consumer, 'plain-harness.mjs'), harness('worker.mjs'));
  await writeFile(join(packed.consumer, 'traced-harness.mjs'), harness('traced-worker.mjs'));
  bundles.plain = await bundleWorker('plain-harness.mjs', join(packed.dir, 'plain.js'), packed.consumer);
  bundles.traced = await bundleWorker('traced-harness.mjs', join(packed.dir, 'traced.js'), packed.consumer);
});

after(async () => {
  await server?.close();
  await packed?.remove();
});

/** Rejects with `what` once `millis` passed, so that a hang fails the test by name. */
function bounded<T>(promise: Promise<T>, millis: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no end after ${millis} ms`)), millis);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** A workerd of its own for one test (module syntax, nodejs_compat), disposed within a bound. */
async function startWorker(t: TestContext, bundle: string): Promise<Miniflare | undefined> {
  if (!existsSync(WORKERD)) {
    // CI installs the devDependencies: there a missing binary is a broken setup, not a reason to skip.
    if (process.env.CI === 'true') assert.fail(`${WORKERD} is missing: npm ci installs it with the devDependency miniflare (${WORKERD_PACKAGE})`);
    t.skip(`workerd is not installed: run npm install (it comes with the devDependency miniflare, as ${WORKERD_PACKAGE})`);
    return undefined;
  }
  const mf = new Miniflare({
    modules: true,
    scriptPath: bundle,
    modulesRoot: dirname(bundle),
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ['nodejs_compat'],
    bindings: { METAROUTER_WRITE_KEY: WRITE_KEY, METAROUTER_HOST: server.url },
  });
  t.after(() => bounded(mf.dispose(), DISPATCH_BOUND_MILLIS, 'mf.dispose()'));
  await bounded(mf.ready, DISPATCH_BOUND_MILLIS, 'workerd start');
  return mf;
}

async function get<T>(mf: Miniflare, path: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await bounded(mf.dispatchFetch(`http://worker.test${path}`, { headers }), DISPATCH_BOUND_MILLIS, `GET ${path}`);
  assert.equal(response.status, 200, `GET ${path}`);
  return (await response.json()) as T;
}

/** The worker's state once every ctx.waitUntil promise settled; fails when one has not within the bound. */
async function settledState(mf: Miniflare): Promise<WorkerState> {
  const deadline = Date.now() + SETTLE_BOUND_MILLIS;
  for (;;) {
    const state = await get<WorkerState>(mf, '/__state');
    if (state.settled === state.flushes) return state;
    if (Date.now() > deadline) assert.fail(`${state.flushes - state.settled} of ${state.flushes} flushes handed to ctx.waitUntil never settled: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function assertNoWriteKey(state: WorkerState): void {
  const text = JSON.stringify(state.errors);
  assert.doesNotMatch(text, new RegExp(WRITE_KEY));
  assert.doesNotMatch(text, new RegExp(Buffer.from(`${WRITE_KEY}:`).toString('base64')));
}

test('in workerd, many requests at once each flush through ctx.waitUntil: every flush settles and every messageId arrives once', { timeout: 120_000 }, async (t) => {
  const mf = await startWorker(t, bundles.plain);
  if (mf === undefined) return;
  server.script = () => OK;
  const before = server.requests.length;
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => get<{ messageId: string }>(mf, `/page/${i}`, { 'x-visitor-id': `visitor-${i}` })));
  const ids = answers.map((answer) => answer.messageId);
  const state = await settledState(mf);
  assert.equal(state.flushes, 40);
  assert.deepEqual(state.errors, []);
  assert.equal(state.counters.delivered, 40);
  assert.equal(state.counters.pending, 0);
  const arrived = server.requests.slice(before).flatMap((request) => request.messageIds);
  assert.deepEqual([...arrived].sort(), [...ids].sort(), 'every messageId arrives once');
  assert.equal(server.requests.at(-1)!.headers.authorization, `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`);
});

test('in workerd, a 503, a dropped connection and a 429 with Retry-After are retried until delivered; a 400 reaches the error listener, without the writeKey', { timeout: 120_000 }, async (t) => {
  const mf = await startWorker(t, bundles.plain);
  if (mf === undefined) return;
  const before = server.requests.length;
  const faults = [reply(503), { kind: 'reset-after-body' } as const, retryAfter(429, 1)];
  server.script = (request) => faults[request.index - before] ?? OK;
  const { messageId } = await get<{ messageId: string }>(mf, '/retried');
  let state = await settledState(mf);
  const tries = server.requests.slice(before);
  assert.deepEqual(tries.map((request) => request.messageIds), [[messageId], [messageId], [messageId], [messageId]], 'the same batch, four times');
  assert.deepEqual(tries.map((request) => request.status), [503, undefined, 429, 200]);
  assert.ok(tries[3]!.receivedAt - tries[2]!.receivedAt >= 900, `Retry-After: 1 is honoured (waited ${tries[3]!.receivedAt - tries[2]!.receivedAt} ms)`);
  assert.deepEqual(state.errors, [], 'a retry is not an error');
  assert.equal(state.counters.delivered, 1);
  assert.equal(state.counters.retries, 3);

  server.script = () => reply(400, { body: `{"error":"unknown source ${WRITE_KEY}","authorization":"Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}"}` });
  const rejected = await get<{ messageId: string }>(mf, '/rejected');
  state = await settledState(mf);
  assert.equal(state.errors.length, 1);
  assert.equal(state.errors[0]!.code, 'MR_ERR_REJECTED');
  assert.deepEqual(state.errors[0]!.messageIds, [rejected.messageId]);
  assertNoWriteKey(state);
  assert.equal(state.counters.pending, 0);
});

test('in workerd with AsyncLocalStorage (nodejs_compat), a message made inside a span after an await carries that span\'s ids, request by request', { timeout: 120_000 }, async (t) => {
  const mf = await startWorker(t, bundles.traced);
  if (mf === undefined) return;
  server.script = () => OK;
  const before = server.requests.length;
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => get<{ messageId: string; traceId: string; spanId: string }>(mf, '/traced', { 'x-user-id': `user-${i}` })));
  const state = await settledState(mf);
  assert.deepEqual(state.errors, []);
  assert.equal(new Set(answers.map((answer) => answer.traceId)).size, answers.length, 'one trace per request');
  const messages = new Map(server.requests.slice(before).flatMap((request) => request.body?.batch ?? []).map((message) => [message.messageId as string, message]));
  for (const answer of answers) {
    const otel = (messages.get(answer.messageId)?.context as { otel?: { traceId?: string; spanId?: string } } | undefined)?.otel;
    assert.deepEqual({ traceId: otel?.traceId, spanId: otel?.spanId }, { traceId: answer.traceId, spanId: answer.spanId }, `message ${answer.messageId}`);
  }
});

test('in workerd, a send cancelled with a request that did not wait for its flush is sent again by the next request\'s flush, which settles', { timeout: 120_000 }, async (t) => {
  const mf = await startWorker(t, bundles.plain);
  if (mf === undefined) return;
  const before = server.requests.length;
  // The first request stalls: its answer, had its request lived, would come from the deadline (httpRequestTimeout).
  server.script = (request) => (request.index === before ? { kind: 'stall' } : OK);
  const orphan = await get<{ messageId: string }>(mf, '/__unwaited');
  const next = await get<{ messageId: string }>(mf, '/after');
  const state = await settledState(mf);
  assert.equal(state.flushes, 1);
  assert.deepEqual(state.errors, []);
  assert.equal(state.counters.pending, 0);
  const ingested = server.ingestedIds().filter((id) => id === orphan.messageId || id === next.messageId);
  assert.deepEqual(ingested.sort(), [orphan.messageId, next.messageId].sort(), 'both arrive, once');
});

test('in workerd, the error listener keeps getting reports across requests: past 1,000 of them, after the requests that made them ended', { timeout: 120_000 }, async (t) => {
  const mf = await startWorker(t, bundles.plain);
  if (mf === undefined) return;
  await get(mf, '/__after-close?calls=1000');
  await get(mf, '/__after-close?calls=1');
  await get(mf, '/__after-close?calls=1');
  const deadline = Date.now() + SETTLE_BOUND_MILLIS;
  let state = await get<WorkerState>(mf, '/__state');
  while (state.errors.length < 1002 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    state = await get<WorkerState>(mf, '/__state');
  }
  assert.equal(state.errors.length, 1002);
  assert.ok(state.errors.every((error) => error.code === 'MR_ERR_CLOSED'));
});
