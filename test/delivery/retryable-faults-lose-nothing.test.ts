import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { collectErrors, countOf, deliveryTo, trackMessage, type DeliveryHarness } from '../helpers/delivery-harness.js';
import { startIngestServer, type IngestServer, type Reply } from '../helpers/ingest-server.js';

/** A server that gives `fault` to the first `failures` requests, then accepts everything. */
function failingThenRecovering(failures: number, fault: Reply) {
  return startIngestServer((request) => (request.index < failures ? fault : { status: 200 }));
}

/** Sends `count` messages in batches of `flushAt` through `harness`, flushes, and returns their ids. */
async function sendAndFlush(harness: DeliveryHarness, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const message = trackMessage(`Event ${i}`, { i });
    assert.equal(harness.delivery.enqueue(message), true);
    ids.push(message.messageId);
  }
  await harness.delivery.flush();
  return ids;
}

/** Every id was acknowledged exactly once, every request carried ids we sent, and nothing was reported. */
function assertLostNothing(server: IngestServer, harness: DeliveryHarness, ids: string[]): void {
  const accepted = countOf(server.accepted.map((message) => String(message.messageId)));
  assert.deepEqual([...accepted.keys()].sort(), [...ids].sort(), 'every accepted messageId arrived');
  for (const [id, times] of accepted) assert.equal(times, 1, `${id} acknowledged once`);
  const sent = new Set(ids);
  for (const request of server.requests) for (const id of request.messageIds) assert.ok(sent.has(id), `request ${request.index} carries only our ids`);
  assert.deepEqual(harness.errors, [], 'nothing reported');
  assert.equal(harness.delivery.counters.delivered, ids.length);
  assert.equal(harness.delivery.counters.dropped, 0);
  assert.equal(harness.delivery.size, 0);
}

const faults: Array<{ name: string; reply: Reply; retryAfterMillis: number | undefined }> = [
  { name: '500', reply: { status: 500, body: '{"error":"boom"}' }, retryAfterMillis: undefined },
  { name: '503', reply: { status: 503 }, retryAfterMillis: undefined },
  { name: '429 with Retry-After: 2', reply: { status: 429, headers: { 'retry-after': '2' } }, retryAfterMillis: 2000 },
  { name: '408', reply: { status: 408 }, retryAfterMillis: undefined },
  { name: 'a connection reset', reply: 'reset', retryAfterMillis: undefined },
];

for (const fault of faults) {
  test(`${fault.name}: the first requests fail, the server recovers, every message arrives once, and retries are counted`, async () => {
    const failures = 3;
    const server = await failingThenRecovering(failures, fault.reply);
    const harness = deliveryTo(server.url, { flushAt: 5, maxConcurrentRequests: 1, maxRetries: 5 });
    try {
      const ids = await sendAndFlush(harness, 5);

      assertLostNothing(server, harness, ids);
      assert.equal(server.requests.length, failures + 1, 'one request per failure, then the one accepted');
      for (const request of server.requests) assert.deepEqual(request.messageIds, ids, `request ${request.index} retries the same messageIds`);
      assert.equal(harness.delivery.counters.retries, failures);
      assert.equal(harness.delivery.counters.requests, failures + 1);
      assert.deepEqual(
        harness.delays,
        [1, 2, 3].map((attempt) => ({ attempt, retryAfterMillis: fault.retryAfterMillis })),
        "retryDelay is asked once per retry, with the attempt number and the server's hint",
      );
    } finally {
      await harness.delivery.shutdown(1000);
      await server.close();
    }
  });
}

test('a stalled server: requests past httpRequestTimeout are retried and every message arrives once', async () => {
  const failures = 2;
  const server = await failingThenRecovering(failures, 'stall');
  const harness = deliveryTo(server.url, { flushAt: 4, maxConcurrentRequests: 1, maxRetries: 3, httpRequestTimeout: 150 });
  try {
    const ids = await sendAndFlush(harness, 4);

    assertLostNothing(server, harness, ids);
    assert.equal(server.requests.length, failures + 1);
    for (const request of server.requests) assert.deepEqual(request.messageIds, ids);
    assert.equal(harness.delivery.counters.retries, failures);
    assert.deepEqual(harness.delays, [
      { attempt: 1, retryAfterMillis: undefined },
      { attempt: 2, retryAfterMillis: undefined },
    ]);
  } finally {
    await harness.delivery.shutdown(1000);
    await server.close();
  }
});

test('503 with Retry-After as an HTTP-date: the time left until that date is passed to retryDelay', async () => {
  const server = await startIngestServer((request) =>
    request.index === 0 ? { status: 503, headers: { 'retry-after': new Date(Date.now() + 3000).toUTCString() } } : { status: 200 },
  );
  const harness = deliveryTo(server.url, { flushAt: 2, maxRetries: 2 });
  try {
    const ids = await sendAndFlush(harness, 2);

    assertLostNothing(server, harness, ids);
    assert.equal(harness.delays.length, 1);
    const hint = harness.delays[0]!.retryAfterMillis;
    // An HTTP-date has whole seconds: 3 s ahead, truncated, read a little later.
    assert.ok(hint !== undefined && hint > 1000 && hint <= 3000, `retryAfterMillis ${hint}`);
  } finally {
    await harness.delivery.shutdown(1000);
    await server.close();
  }
});

test('several batches in flight at once through faults: every message arrives once', async () => {
  // Every second request fails with a different retryable fault; 40 messages in 8 batches, 4 at a time.
  const rotation: Reply[] = [{ status: 500 }, { status: 502 }, 'reset', { status: 504 }, { status: 429, headers: { 'retry-after': '0' } }];
  const server = await startIngestServer((request) => (request.index % 2 === 0 ? rotation[(request.index / 2) % rotation.length]! : { status: 200 }));
  const harness = deliveryTo(server.url, { flushAt: 5, maxConcurrentRequests: 4, maxRetries: 10 });
  try {
    const ids = await sendAndFlush(harness, 40);

    assertLostNothing(server, harness, ids);
    const failed = server.requests.filter((request) => request.index % 2 === 0).length;
    assert.equal(harness.delivery.counters.retries, failed, 'one retry per failed request');
    assert.equal(harness.delivery.counters.requests, server.requests.length);
  } finally {
    await harness.delivery.shutdown(1000);
    await server.close();
  }
});

test('through Analytics: a 503 with Retry-After: 0 is retried and every call arrives once, in the same batch', async () => {
  const server = await failingThenRecovering(1, { status: 503, headers: { 'retry-after': '0' } });
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 3, maxRetries: 2 });
  const errors = collectErrors(analytics);
  try {
    const ids = [0, 1, 2].map((i) => analytics.track({ userId: 'u', event: 'Retried', properties: { i } }));
    await analytics.flush();

    assert.deepEqual(errors, []);
    assert.equal(server.requests.length, 2);
    assert.deepEqual(server.requests[0]!.messageIds, ids);
    assert.deepEqual(server.requests[1]!.messageIds, ids, 'the retry carries the same messageIds');
    assert.deepEqual(
      server.accepted.map((message) => message.messageId),
      ids,
    );
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

test('a 200 that comes after httpRequestTimeout was not an acknowledgement: the batch is resent, so only that request duplicates', async () => {
  const server = await startIngestServer(async (request) => {
    if (request.index === 0) await new Promise((resolve) => setTimeout(resolve, 400));
    return { status: 200 };
  });
  const harness = deliveryTo(server.url, { flushAt: 3, maxRetries: 2, httpRequestTimeout: 150 });
  try {
    const ids = await sendAndFlush(harness, 3);
    // The late answer to the first request still lands at the server.
    await server.waitForAccepted(2 * ids.length, 3000);

    assert.deepEqual(harness.errors, []);
    assert.equal(server.requests.length, 2, 'the timed-out request and its retry');
    assert.equal(harness.delivery.counters.retries, 1);
    assert.equal(harness.delivery.counters.delivered, ids.length, 'the client counts each message delivered once');
    const accepted = countOf(server.accepted.map((message) => String(message.messageId)));
    for (const id of ids) assert.equal(accepted.get(id), 2, `${id}: once per request, the first never acknowledged to the client`);
  } finally {
    await harness.delivery.shutdown(1000);
    await server.close();
  }
});
