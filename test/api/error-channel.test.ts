import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { after, before, test } from 'node:test';
import { Analytics, ConfigurationError, DeliveryError, MetaRouterError, ValidationError, type AnalyticsOptions } from '../../src/index.js';
import { startIngestServer, type IngestServer, type Received } from '../helpers/ingest-server.js';

const KEY = 'SECRET-KEY-123';

/** Answers each request with the status named by its first message's event, e.g. `status 400`. */
function statusOf(request: Received): number {
  const match = /^status (\d{3})$/.exec(String(request.body.batch[0]?.event));
  return match === null ? 200 : Number(match[1]);
}

let server: IngestServer;
let refusedUrl: string;
before(async () => {
  server = await startIngestServer((request) => ({ status: statusOf(request), body: '{"error":"scripted"}' }));
  // A port that was free a moment ago and has nothing listening: connections are refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  refusedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});
after(() => server.close());

/** Records 'unhandledRejection' and 'uncaughtException' while a test runs. */
function watchProcess(): { seen: unknown[]; stop(): Promise<void> } {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown) => seen.push(['unhandledRejection', reason]);
  const onException = (error: unknown) => seen.push(['uncaughtException', error]);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    seen,
    async stop() {
      // Give late microtasks, rejections and timers a chance to surface before looking.
      await sleep(50);
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

type Failure = {
  label: string;
  options?: Partial<AnalyticsOptions>;
  /** Makes the calls; returns the messageIds that must be reported. */
  run(analytics: Analytics): Promise<string[]> | string[];
  code: string;
  status: number | undefined;
  /** Requests the server must have seen for it (0 when it never gets there). */
  reachesServer: boolean;
};

const FAILURES: Failure[] = [
  {
    label: '400',
    run: (a) => [a.track({ userId: 'u', event: 'status 400' }), a.track({ userId: 'v', event: 'second' }), a.identify({ userId: 'w' })],
    code: 'MR_ERR_REJECTED',
    status: 400,
    reachesServer: true,
  },
  { label: '422', run: (a) => [a.track({ userId: 'u', event: 'status 422' })], code: 'MR_ERR_REJECTED', status: 422, reachesServer: true },
  { label: '401', run: (a) => [a.track({ userId: 'u', event: 'status 401' })], code: 'MR_ERR_UNAUTHORIZED', status: 401, reachesServer: true },
  { label: '403', run: (a) => [a.track({ userId: 'u', event: 'status 403' })], code: 'MR_ERR_UNAUTHORIZED', status: 403, reachesServer: true },
  { label: '404', run: (a) => [a.track({ userId: 'u', event: 'status 404' })], code: 'MR_ERR_ENDPOINT_NOT_FOUND', status: 404, reachesServer: true },
  { label: '413 for one message', run: (a) => [a.track({ userId: 'u', event: 'status 413' })], code: 'MR_ERR_MESSAGE_TOO_LARGE', status: 413, reachesServer: true },
  {
    label: '500 with maxRetries 0',
    options: { maxRetries: 0 },
    run: (a) => [a.track({ userId: 'u', event: 'status 500' })],
    code: 'MR_ERR_RETRIES_EXHAUSTED',
    status: 500,
    reachesServer: true,
  },
  {
    label: 'connection refused with maxRetries 0',
    options: { maxRetries: 0 },
    run: (a) => [a.track({ userId: 'u', event: 'refused' })],
    code: 'MR_ERR_RETRIES_EXHAUSTED',
    status: undefined,
    reachesServer: false,
  },
  {
    label: 'a call after closeAndFlush',
    async run(a) {
      await a.closeAndFlush();
      return [a.track({ userId: 'u', event: 'too late' })];
    },
    code: 'MR_ERR_CLOSED',
    status: undefined,
    reachesServer: false,
  },
  {
    label: 'a full queue',
    options: { maxQueueSize: 1, flushAt: 100 },
    run: (a) => {
      a.track({ userId: 'u', event: 'kept' });
      return [a.track({ userId: 'u', event: 'dropped 1' }), a.track({ userId: 'u', event: 'dropped 2' })];
    },
    code: 'MR_ERR_QUEUE_FULL',
    status: undefined,
    reachesServer: false,
  },
];

function make(failure: Failure): Analytics {
  const host = failure.label.startsWith('connection refused') ? refusedUrl : server.url;
  return new Analytics({ writeKey: KEY, host, ...failure.options });
}

test('with no error listener, delivery failures and drops neither throw nor leave an unhandled rejection or exception', async () => {
  const watch = watchProcess();
  try {
    for (const failure of FAILURES) {
      const analytics = make(failure);
      const start = server.requests.length;
      const ids = await failure.run(analytics);
      await analytics.closeAndFlush();
      await analytics.flush();
      await analytics.shutdown();
      if (failure.reachesServer) {
        assert.ok(server.requests.slice(start).some((request) => request.messageIds.includes(ids[0]!)), `${failure.label}: the request reached the server`);
      }
      assert.ok(analytics.unheardErrors >= 1, `${failure.label}: the failure was noticed (counted) though nobody listened`);
    }
  } finally {
    await watch.stop();
  }
  assert.deepEqual(watch.seen, [], 'no unhandled rejection or uncaught exception');
});

test('with a listener, every failure arrives as a DeliveryError with its code, messageIds and status', async () => {
  const watch = watchProcess();
  try {
    for (const failure of FAILURES) {
      const analytics = make(failure);
      const errors: MetaRouterError[] = [];
      analytics.on('error', (error) => errors.push(error));
      const start = server.requests.length;
      const ids = await failure.run(analytics);
      await analytics.closeAndFlush();

      assert.equal(errors.length, 1, `${failure.label}: one error reported, got ${errors.map((error) => error.code).join(', ')}`);
      const [error] = errors;
      assert.ok(error instanceof DeliveryError, `${failure.label}: a DeliveryError`);
      assert.ok(error instanceof MetaRouterError && error instanceof Error, `${failure.label}: also a MetaRouterError and an Error`);
      assert.ok(!(error instanceof ValidationError) && !(error instanceof ConfigurationError), `${failure.label}: not a ValidationError or ConfigurationError`);
      assert.equal(error.name, 'DeliveryError');
      assert.equal(error.code, failure.code, `${failure.label}: code`);
      assert.deepEqual([...error.messageIds].sort(), [...ids].sort(), `${failure.label}: messageIds name the affected messages`);
      assert.equal(error.status, failure.status, `${failure.label}: status`);
      const reached = server.requests.slice(start).some((request) => ids.some((id) => request.messageIds.includes(id)));
      assert.equal(reached, failure.reachesServer, `${failure.label}: reached the server or not`);
    }
  } finally {
    await watch.stop();
  }
  assert.deepEqual(watch.seen, []);
});

/** Every way an error can be shown or logged. */
function renderings(error: Error): Record<string, string> {
  return {
    message: error.message,
    stack: String(error.stack),
    json: JSON.stringify(error),
    string: String(error),
    inspect: inspect(error, { depth: 10, showHidden: true }),
  };
}

test('the writeKey appears in no reported error: message, stack, JSON, String or inspect (cause included)', async () => {
  for (const failure of FAILURES) {
    const analytics = make(failure);
    const errors: MetaRouterError[] = [];
    analytics.on('error', (error) => errors.push(error));
    await failure.run(analytics);
    await analytics.closeAndFlush();
    assert.ok(errors.length > 0, `${failure.label}: reported`);
    for (const error of errors) {
      for (const [where, text] of Object.entries(renderings(error))) {
        assert.ok(!text.includes(KEY), `${failure.label}: the writeKey is in the error's ${where}`);
        assert.ok(!text.includes(Buffer.from(`${KEY}:`).toString('base64')), `${failure.label}: the Basic credentials are in the error's ${where}`);
      }
    }
  }
});

test("a server that echoes the request in its 400 or 401 answer still does not put the writeKey into the error", async () => {
  const echo = await startIngestServer((request) => ({
    status: request.body.batch[0]?.event === 'auth' ? 401 : 400,
    body: JSON.stringify({ error: 'bad request', received: request.body, authorization: request.headers.authorization }),
  }));
  try {
    const analytics = new Analytics({ writeKey: KEY, host: echo.url });
    const errors: MetaRouterError[] = [];
    analytics.on('error', (error) => errors.push(error));
    analytics.track({ userId: 'u', event: 'echo' });
    await analytics.flush();
    analytics.track({ userId: 'u', event: 'auth' });
    await analytics.closeAndFlush();
    assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_REJECTED', 'MR_ERR_UNAUTHORIZED']);
    for (const error of errors) {
      for (const [where, text] of Object.entries(renderings(error))) {
        assert.ok(!text.includes(KEY), `${error.code}: the writeKey is in the error's ${where}: ${error.message}`);
      }
    }
  } finally {
    await echo.close();
  }
});

test('errors are recognized with instanceof across the exported classes, and once() listens for one error', async () => {
  const analytics = new Analytics({ writeKey: KEY, host: server.url });
  const first: MetaRouterError[] = [];
  analytics.once('error', (error) => first.push(error));
  const a = analytics.track({ userId: 'u', event: 'status 400' });
  await analytics.flush();
  analytics.track({ userId: 'u', event: 'status 400' });
  await analytics.closeAndFlush();
  assert.equal(first.length, 1, 'once() heard only the first');
  const [error] = first;
  assert.ok(error instanceof DeliveryError);
  assert.deepEqual(error.messageIds, [a]);
  assert.equal(analytics.unheardErrors, 1, 'the second was counted with no listener left');
  // A plain Error or an object with a similar shape is not mistaken for ours.
  assert.ok(!(new Error('x') instanceof MetaRouterError));
  assert.ok(!({ code: 'MR_ERR_REJECTED', messageIds: [] } instanceof DeliveryError));
});
