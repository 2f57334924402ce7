import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics, type AnalyticsOptions } from '../../src/index.js';
import { collectErrors, countOf } from '../helpers/delivery-harness.js';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';
import { spoolDirs } from '../helpers/spool-dir.js';

const freshDir = spoolDirs('durable');

/** A server whose answers follow `up`: 503 while down, 200 once up; `reject` names messageIds it answers 400 for. */
async function switchableServer(): Promise<IngestServer & { up: boolean; reject: Set<string> }> {
  const control = { up: false, reject: new Set<string>() };
  const server = await startIngestServer((request) => {
    if (!control.up) return { status: 503 };
    return request.messageIds.some((id) => control.reject.has(id)) ? { status: 400 } : { status: 200 };
  });
  return Object.assign(control, server);
}

function durable(server: IngestServer, directory: string, options: Partial<AnalyticsOptions> = {}): Analytics {
  return new Analytics({ writeKey: 'k', host: server.url, storage: { directory }, flushAt: 10, maxConcurrentRequests: 1, maxRetries: 100_000, maxRetryDuration: 600_000, ...options });
}

const send = (analytics: Analytics, count: number, prefix: string) => Array.from({ length: count }, (_, i) => analytics.track({ userId: 'u', event: 'Order Completed', messageId: `${prefix}-${i}`, properties: { i } }));

function assertInvariant(analytics: Analytics): void {
  const { accepted, recovered, delivered, dropped, pending } = analytics.counters!;
  assert.equal(accepted + recovered, delivered + dropped + pending, JSON.stringify(analytics.counters));
}

test('an outage longer than memory: 300 calls with maxQueueSize 20 are all accepted, memory holds at most 20, and all arrive once, in order, after recovery', async () => {
  const server = await switchableServer();
  const analytics = durable(server, freshDir(), { maxQueueSize: 20 });
  const errors = collectErrors(analytics);
  try {
    const ids = send(analytics, 300, 'outage');
    assert.deepEqual([analytics.counters!.accepted, analytics.counters!.refused, analytics.counters!.pending], [300, 0, 300]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(server.requests.every((request) => request.messageIds.every((id) => ids.slice(0, 20).includes(id))), 'only the first 20 were in memory');
    assertInvariant(analytics);
    server.up = true;
    await analytics.flush();
    // Retries may reorder batches (as without storage); each message arrives once.
    assert.deepEqual(server.accepted.map((message) => message.messageId).sort(), [...ids].sort(), 'every message, once');
    assert.deepEqual(errors, []);
    assert.deepEqual([analytics.counters!.delivered, analytics.counters!.pending], [300, 0]);
    assertInvariant(analytics);
  } finally {
    await analytics.closeAndFlush({ timeout: 500 });
    await server.close();
  }
});

test('bounded disk: past storage.maxBytes new calls are refused and reported MR_ERR_QUEUE_FULL with their ids; what was stored still arrives', async () => {
  const server = await switchableServer();
  const analytics = durable(server, freshDir(), { maxQueueSize: 10, storage: { directory: freshDir(), maxBytes: 256 * 1024 } });
  const errors = collectErrors(analytics);
  try {
    const ids = send(analytics, 2000, 'full');
    await new Promise((resolve) => setImmediate(resolve));
    const { accepted, refused } = analytics.counters!;
    assert.ok(accepted > 100 && accepted < 2000, `accepted ${accepted}`);
    assert.equal(accepted + refused, 2000);
    const full = errors.filter((error) => error.code === 'MR_ERR_QUEUE_FULL').flatMap((error) => error.messageIds);
    assert.deepEqual(full, ids.slice(accepted), 'the newest were refused, each reported');
    assert.match(errors[0]!.message, /storage held storage.maxBytes/);
    server.up = true;
    await analytics.flush();
    assert.deepEqual(server.accepted.map((message) => message.messageId), ids.slice(0, accepted));
    assertInvariant(analytics);
  } finally {
    await analytics.closeAndFlush({ timeout: 500 });
    await server.close();
  }
});

test('restart while the endpoint is still down, then again once it is up: what the first instance accepted arrives, once', async () => {
  const server = await switchableServer();
  const directory = freshDir();
  const first = durable(server, directory);
  const firstErrors = collectErrors(first);
  const ids = send(first, 50, 'restart');
  await first.closeAndFlush({ timeout: 100 });
  assert.deepEqual(firstErrors.map((error) => error.code), ['MR_ERR_KEPT_IN_STORAGE']);
  assert.deepEqual([first.counters!.dropped, first.counters!.pending], [0, 50], 'kept, not dropped');
  assertInvariant(first);

  const second = durable(server, directory);
  collectErrors(second);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await second.closeAndFlush({ timeout: 100 });
  assert.equal(second.counters!.recovered, 50);
  assertInvariant(second);

  server.up = true;
  const third = durable(server, directory);
  const thirdErrors = collectErrors(third);
  await new Promise((resolve) => setImmediate(resolve));
  await third.flush();
  assert.deepEqual(thirdErrors, []);
  assert.deepEqual(server.accepted.map((message) => message.messageId), ids);
  assert.deepEqual([third.counters!.recovered, third.counters!.delivered, third.counters!.pending], [50, 50, 0]);
  await third.closeAndFlush();

  const fourth = durable(server, directory);
  await new Promise((resolve) => setImmediate(resolve));
  await fourth.closeAndFlush();
  assert.equal(fourth.counters!.recovered, 0, 'acknowledged messages are not sent again');
  assert.equal(server.accepted.length, 50);
  await server.close();
});

test('restart after the endpoint answered 400 to part of the spool: that batch is reported and never resent, the rest arrives', async () => {
  const server = await switchableServer();
  const directory = freshDir();
  const first = durable(server, directory);
  collectErrors(first);
  const ids = send(first, 30, 'part');
  await first.closeAndFlush({ timeout: 100 });

  server.up = true;
  server.reject.add(ids[12]!);
  const before = server.requests.length;
  const second = durable(server, directory);
  const errors = collectErrors(second);
  await new Promise((resolve) => setImmediate(resolve));
  await second.flush();
  assert.deepEqual(errors.map((error) => [error.code, error.messageIds]), [['MR_ERR_REJECTED', ids.slice(10, 20)]]);
  assert.deepEqual(server.accepted.map((message) => message.messageId), [...ids.slice(0, 10), ...ids.slice(20)]);
  await second.closeAndFlush();
  assertInvariant(second);

  const third = durable(server, directory);
  await new Promise((resolve) => setImmediate(resolve));
  await third.closeAndFlush();
  assert.equal(third.counters!.recovered, 0);
  assert.equal(countOf(server.requests.slice(before).flatMap((request) => request.messageIds)).get(ids[12]!), 1, 'the rejected batch was sent once');
  await server.close();
});

test('flush() under steady traffic waits for the messages taken before the call, not for those taken after: it ends', async () => {
  const server = await startIngestServer(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { status: 200 };
  });
  const analytics = durable(server, freshDir(), { flushAt: 5, maxConcurrentRequests: 2 });
  try {
    const before = send(analytics, 12, 'before');
    let flushed = false;
    const flush = analytics.flush().then(() => {
      flushed = true;
    });
    // Traffic goes on until the flush ends, or far longer than twelve messages take to deliver.
    let after = 0;
    while (!flushed && after < 1000) {
      analytics.track({ userId: 'u', event: 'Steady', messageId: `after-${after++}` });
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await flush;
    assert.ok(after < 1000, `flush still waiting after ${after} later calls`);
    const arrived = new Set(server.accepted.map((message) => message.messageId));
    assert.ok(before.every((id) => arrived.has(id)), 'every message taken before the call was delivered when it resolved');
  } finally {
    await analytics.closeAndFlush({ timeout: 5000 });
    await server.close();
  }
});
