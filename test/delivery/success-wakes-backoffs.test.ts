import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { collectErrors, countOf, deliveryTo, trackMessage, waitFor } from '../helpers/delivery-harness.js';
import { startIngestServer } from '../helpers/ingest-server.js';

test('a success sends the batches waiting out our own backoff at once, and leaves a wait the server asked for', async () => {
  const seen = new Map<string, number>();
  const server = await startIngestServer((request) => {
    const id = request.messageIds[0]!;
    const attempt = (seen.get(id) ?? 0) + 1;
    seen.set(id, attempt);
    const event = request.body.batch[0]!.event;
    if (attempt === 1 && event === 'Backoff') return { status: 503 };
    if (attempt === 1 && event === 'Server wait') return { status: 429, headers: { 'retry-after': '60' } };
    return { status: 200 };
  });
  // Every wait is a minute: only the wake can bring a batch back within the test.
  const harness = deliveryTo(server.url, { flushAt: 1, maxConcurrentRequests: 1, maxRetries: 5, delayMillis: 60_000 });
  try {
    const [backoff, serverWait, healthy] = ['Backoff', 'Server wait', 'Healthy'].map((event) => trackMessage(event));
    for (const message of [backoff!, serverWait!, healthy!]) harness.delivery.enqueue(message);

    await waitFor(() => server.accepted.length === 2, 'the healthy batch, then the woken one, accepted');
    assert.deepEqual(
      server.requests.map((request) => request.messageIds[0]),
      [backoff!.messageId, serverWait!.messageId, healthy!.messageId, backoff!.messageId],
      'the batch in our backoff went again right after the success',
    );
    assert.deepEqual(server.accepted.map((message) => message.messageId), [healthy!.messageId, backoff!.messageId]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(countOf(server.requests.map((request) => request.messageIds[0]!)).get(serverWait!.messageId), 1, 'the wait the server asked for is kept');
    assert.equal(harness.delivery.counters.retries, 2);
  } finally {
    await harness.delivery.shutdown(100);
    await server.close();
  }
});

test('a batch evicted from storage while it waits out our backoff is not woken by a later success', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'metarouter-otel-wake-'));
  let release: (() => void) | undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  // The first batch gets 503 (our backoff); the second is held until the first is evicted, then accepted.
  const server = await startIngestServer(async (request) => {
    if (request.messageIds[0]!.startsWith('first-')) return { status: 503 };
    if (request.messageIds[0] === 'second-0') await held;
    return { status: 200 };
  });
  const analytics = new Analytics({
    writeKey: 'k',
    host: server.url,
    storage: { directory, maxBytes: 256 * 1024, whenFull: 'drop_oldest' },
    flushAt: 10,
    maxQueueSize: 20,
    maxConcurrentRequests: 1,
    maxRetries: 100_000,
    maxRetryDuration: 600_000,
  });
  const errors = collectErrors(analytics);
  const send = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => analytics.track({ userId: 'u', event: 'Order Completed', messageId: `${prefix}-${i}`, properties: { i } }));
  const firstRequests = () => server.requests.filter((request) => request.messageIds[0] === 'first-0').length;
  try {
    send(10, 'first');
    await waitFor(() => analytics.counters!.retries === 1, 'the first batch waiting out our backoff');
    send(10, 'second');
    await waitFor(() => server.requests.some((request) => request.messageIds[0] === 'second-0'), 'the second batch in flight');
    send(3000, 'filler');
    const evicted = new Set(errors.filter((error) => error.code === 'MR_ERR_EVICTED').flatMap((error) => error.messageIds));
    assert.ok(evicted.has('first-0'), 'the waiting batch was evicted');
    const before = firstRequests();

    release!();
    await waitFor(() => server.accepted.some((message) => message.messageId === 'second-0') || evicted.has('second-0'), 'the second batch answered');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(firstRequests(), before, 'the evicted batch was not sent again');
    assert.deepEqual(server.accepted.filter((message) => evicted.has(message.messageId as string)).map((message) => message.messageId).filter((id) => String(id).startsWith('first-')), []);
  } finally {
    release!();
    await analytics.closeAndFlush({ timeout: 200 });
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  }
});
