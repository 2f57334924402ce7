import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { collectErrors, deliveryTo, trackMessage } from '../helpers/delivery-harness.js';
import { startIngestServer } from '../helpers/ingest-server.js';

test('a server that always answers 503: after maxRetries retries the batch is dropped and reported once with all its messageIds', async () => {
  const server = await startIngestServer(() => ({ status: 503, body: '{"error":"unavailable"}' }));
  const maxRetries = 3;
  const harness = deliveryTo(server.url, { flushAt: 4, maxRetries });
  try {
    const messages = [0, 1, 2, 3].map((i) => trackMessage(`Doomed ${i}`));
    for (const message of messages) harness.delivery.enqueue(message);
    const ids = messages.map((message) => message.messageId);
    await harness.delivery.flush();

    assert.equal(server.requests.length, maxRetries + 1, 'the first try and maxRetries retries');
    for (const request of server.requests) assert.deepEqual(request.messageIds, ids);
    assert.equal(harness.errors.length, 1, 'reported once');
    const [error] = harness.errors;
    assert.equal(error!.code, 'MR_ERR_RETRIES_EXHAUSTED');
    assert.deepEqual(error!.messageIds, ids);
    assert.equal(error!.status, 503);
    assert.deepEqual(
      harness.delays.map((delay) => delay.attempt),
      [1, 2, 3],
    );
    assert.equal(harness.delivery.counters.retries, maxRetries);
    assert.equal(harness.delivery.counters.requests, maxRetries + 1);
    assert.equal(harness.delivery.counters.dropped, ids.length);
    assert.equal(harness.delivery.counters.delivered, 0);
    assert.equal(harness.delivery.size, 0, 'the dropped batch is no longer held');

    // Nothing more is sent for that batch later.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(server.requests.length, maxRetries + 1);
  } finally {
    await harness.delivery.shutdown(1000);
    await server.close();
  }
});

test('retries stop for network faults too: a connection reset every time ends in MR_ERR_RETRIES_EXHAUSTED', async () => {
  const server = await startIngestServer(() => 'reset');
  const harness = deliveryTo(server.url, { flushAt: 2, maxRetries: 2 });
  try {
    const messages = [trackMessage('A'), trackMessage('B')];
    for (const message of messages) harness.delivery.enqueue(message);
    await harness.delivery.flush();

    assert.equal(server.requests.length, 3);
    assert.equal(harness.errors.length, 1);
    assert.equal(harness.errors[0]!.code, 'MR_ERR_RETRIES_EXHAUSTED');
    assert.deepEqual(
      harness.errors[0]!.messageIds,
      messages.map((message) => message.messageId),
    );
    assert.equal(harness.errors[0]!.status, undefined, 'no HTTP status for a reset');
  } finally {
    await harness.delivery.shutdown(1000);
    await server.close();
  }
});

test('each batch has its own retry budget: one exhausted batch does not drop the others', async () => {
  const doomed = trackMessage('Doomed');
  const server = await startIngestServer((request) => (request.messageIds.includes(doomed.messageId) ? { status: 500 } : { status: 200 }));
  const harness = deliveryTo(server.url, { flushAt: 1, maxRetries: 2 });
  try {
    const fine = [trackMessage('Fine 1'), trackMessage('Fine 2')];
    harness.delivery.enqueue(fine[0]!);
    harness.delivery.enqueue(doomed);
    harness.delivery.enqueue(fine[1]!);
    await harness.delivery.flush();

    assert.deepEqual(
      server.accepted.map((message) => message.messageId).sort(),
      fine.map((message) => message.messageId).sort(),
    );
    assert.equal(server.requests.filter((request) => request.messageIds.includes(doomed.messageId)).length, 3);
    assert.equal(harness.errors.length, 1);
    assert.equal(harness.errors[0]!.code, 'MR_ERR_RETRIES_EXHAUSTED');
    assert.deepEqual(harness.errors[0]!.messageIds, [doomed.messageId]);
  } finally {
    await harness.delivery.shutdown(1000);
    await server.close();
  }
});

test('through Analytics with maxRetries: 0, one 503 ends the batch: one request, reported with MR_ERR_RETRIES_EXHAUSTED', async () => {
  const server = await startIngestServer(() => ({ status: 503 }));
  const analytics = new Analytics({ writeKey: 'k', host: server.url, maxRetries: 0, flushAt: 2 });
  const errors = collectErrors(analytics);
  try {
    const ids = [analytics.track({ userId: 'u', event: 'One' }), analytics.identify({ userId: 'u', traits: { plan: 'pro' } })];
    await analytics.flush();

    assert.equal(server.requests.length, 1);
    assert.deepEqual(server.requests[0]!.messageIds, ids);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'MR_ERR_RETRIES_EXHAUSTED');
    assert.deepEqual(errors[0]!.messageIds, ids);
    assert.equal(errors[0]!.status, 503);
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});
