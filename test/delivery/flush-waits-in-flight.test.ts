import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { collectErrors, deliveryTo, trackMessage, waitFor } from '../helpers/delivery-harness.js';
import { startIngestServer } from '../helpers/ingest-server.js';

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

test('flush() resolves only after the server answered the request already in flight', async () => {
  const events: string[] = [];
  const server = await startIngestServer(async () => {
    await sleep(300);
    events.push('server replied');
    return { status: 200 };
  });
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 1 });
  try {
    const id = analytics.track({ userId: 'u', event: 'Slow to acknowledge' });
    await waitFor(() => server.requests.length === 1, 'the request to reach the server');
    events.push('flush called');
    await analytics.flush();
    events.push('flush resolved');

    assert.deepEqual(events, ['flush called', 'server replied', 'flush resolved']);
    assert.deepEqual(
      server.accepted.map((message) => message.messageId),
      [id],
    );
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

test('flush() also waits for a batch that is between a failed try and its retry', async () => {
  const events: string[] = [];
  const server = await startIngestServer((request) => {
    if (request.index === 0) return { status: 503 };
    events.push('server accepted the retry');
    return { status: 200 };
  });
  const harness = deliveryTo(server.url, { flushAt: 1, delayMillis: 100 });
  try {
    const message = trackMessage('Retried before flush');
    harness.delivery.enqueue(message);
    await waitFor(() => harness.delivery.counters.retries === 1, 'the retry to be scheduled');
    events.push('flush called');
    await harness.delivery.flush();
    events.push('flush resolved');

    assert.deepEqual(events, ['flush called', 'server accepted the retry', 'flush resolved']);
    assert.deepEqual(
      server.accepted.map((accepted) => accepted.messageId),
      [message.messageId],
    );
  } finally {
    await harness.delivery.shutdown(1000);
    await server.close();
  }
});

test('closeAndFlush({ timeout }) against a server that never answers resolves by the deadline and reports MR_ERR_SHUTDOWN_TIMEOUT', { timeout: 5000 }, async () => {
  const server = await startIngestServer(() => 'stall');
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 3, httpRequestTimeout: 60_000 });
  const errors = collectErrors(analytics);
  try {
    const ids = [0, 1, 2].map((i) => analytics.track({ userId: 'u', event: 'Never acknowledged', properties: { i } }));
    await waitFor(() => server.requests.length === 1, 'the request to reach the server');
    // The request would stall for 60 s; the test's own 5 s timeout fails it if closeAndFlush waits for it.
    await analytics.closeAndFlush({ timeout: 200 });

    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'MR_ERR_SHUTDOWN_TIMEOUT');
    assert.deepEqual(errors[0]!.messageIds, ids);
    assert.equal(server.requests.length, 1, 'nothing was sent again after the deadline');
    assert.deepEqual(server.accepted, []);
  } finally {
    await analytics.closeAndFlush();
    await server.close();
  }
});

test('closeAndFlush() is idempotent: every call (and shutdown()) returns the same promise, and messages are sent once', async () => {
  const server = await startIngestServer();
  const analytics = new Analytics({ writeKey: 'k', host: server.url });
  const errors = collectErrors(analytics);
  try {
    const id = analytics.track({ userId: 'u', event: 'Once' });
    const first = analytics.closeAndFlush();
    const second = analytics.closeAndFlush({ timeout: 5 });
    const third = analytics.shutdown();
    assert.equal(second, first);
    assert.equal(third, first);
    await first;
    assert.equal(analytics.closeAndFlush(), first, 'also after it resolved');

    assert.deepEqual(errors, []);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(server.requests[0]!.messageIds, [id]);
  } finally {
    await analytics.closeAndFlush();
    await server.close();
  }
});

test('a call after close (or while closing) is reported with MR_ERR_CLOSED and not sent', async () => {
  const server = await startIngestServer();
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushInterval: 10 });
  const errors = collectErrors(analytics);
  try {
    const before = analytics.track({ userId: 'u', event: 'Before close' });
    const closing = analytics.closeAndFlush();
    const during = analytics.track({ userId: 'u', event: 'While closing' });
    await closing;
    const after = analytics.identify({ userId: 'u', traits: { late: true } });
    assert.equal(typeof after, 'string', 'the call still returns its messageId');
    await analytics.flush();
    await sleep(50);

    assert.deepEqual(
      server.requests.flatMap((request) => request.messageIds),
      [before],
    );
    assert.deepEqual(
      errors.map((error) => [error.code, error.messageIds]),
      [
        ['MR_ERR_CLOSED', [during]],
        ['MR_ERR_CLOSED', [after]],
      ],
    );
  } finally {
    await analytics.closeAndFlush();
    await server.close();
  }
});
