import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics } from '../../src/index.js';
import type { Message } from '../../src/translate/message.js';
import { collectErrors, deliveryTo, refusingUrl, trackMessage, waitFor } from '../helpers/delivery-harness.js';
import { startIngestServer } from '../helpers/ingest-server.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('server down: the delivery holds at most maxQueueSize, and the overflow is counted and reported with exactly its messageIds', async () => {
  const url = await refusingUrl();
  const harness = deliveryTo(url, { maxQueueSize: 50, flushAt: 10, delayMillis: 60_000 });
  const { delivery, errors } = harness;
  try {
    const messages: Message[] = Array.from({ length: 200 }, (_, i) => trackMessage(`Queued ${i}`, { i }));
    const taken: boolean[] = [];
    assert.doesNotThrow(() => {
      for (const message of messages) taken.push(delivery.enqueue(message));
    });
    assert.ok(delivery.size <= 50, `holds ${delivery.size}`);
    await settle();

    const kept = messages.slice(0, 50).map((message) => message.messageId);
    const overflow = messages.slice(50).map((message) => message.messageId);
    assert.deepEqual(taken, [...Array(50).fill(true), ...Array(150).fill(false)]);
    assert.equal(delivery.size, 50);
    assert.equal(delivery.counters.accepted, 50);
    assert.equal(delivery.counters.refused, 150);
    assert.equal(errors.length, 1, 'the overflow is reported together');
    assert.equal(errors[0]!.code, 'MR_ERR_QUEUE_FULL');
    assert.deepEqual(errors[0]!.messageIds, overflow);

    // The batches fail to connect and wait out a long retry: still 50 held, new calls still dropped.
    await waitFor(() => delivery.counters.retries === 5, 'the 5 batches to fail and wait to retry');
    assert.equal(delivery.size, 50);
    const late = trackMessage('Late');
    assert.equal(delivery.enqueue(late), false);
    await settle();
    assert.equal(delivery.size, 50);
    assert.equal(delivery.counters.refused, 151);
    assert.deepEqual(errors[1]?.messageIds, [late.messageId]);

    // Closing with a short deadline reports the rest.
    await delivery.shutdown(100);
    assert.equal(errors.length, 3);
    assert.equal(errors[2]!.code, 'MR_ERR_SHUTDOWN_TIMEOUT');
    assert.deepEqual([...errors[2]!.messageIds].sort(), [...kept].sort());
    assert.deepEqual([delivery.counters.dropped, delivery.counters.refused], [50, 151]);
    assert.equal(delivery.size, 0);
    const reported = errors.flatMap((error) => error.messageIds);
    assert.equal(new Set(reported).size, reported.length, 'each message reported once');
    assert.equal(reported.length, 201, 'every message taken or refused was accounted for');
  } finally {
    await delivery.shutdown(100);
  }
});

test('a server that keeps answering 503: it never sees more than maxQueueSize distinct messages while the queue is full', async () => {
  const server = await startIngestServer(() => ({ status: 503 }));
  const harness = deliveryTo(server.url, { maxQueueSize: 20, flushAt: 5, delayMillis: 20, maxRetries: 1000 });
  const { delivery, errors } = harness;
  try {
    const messages = Array.from({ length: 100 }, (_, i) => trackMessage(`Held ${i}`));
    for (const message of messages.slice(0, 60)) delivery.enqueue(message);
    await waitFor(() => server.requests.length >= 12, 'several rounds of retries');
    for (const message of messages.slice(60)) delivery.enqueue(message);
    await settle();

    const kept = new Set(messages.slice(0, 20).map((message) => message.messageId));
    const seen = new Set(server.requests.flatMap((request) => request.messageIds));
    assert.deepEqual([...seen].sort(), [...kept].sort(), 'only the 20 held messages were ever sent');
    assert.ok(delivery.size <= 20);
    assert.equal(delivery.counters.refused, 80);
    const full = errors.filter((error) => error.code === 'MR_ERR_QUEUE_FULL').flatMap((error) => error.messageIds);
    assert.deepEqual(
      full,
      messages.slice(20).map((message) => message.messageId),
    );
  } finally {
    await delivery.shutdown(100);
    await server.close();
  }
});

test('through Analytics: 200 calls while the server is down never throw; 150 are reported MR_ERR_QUEUE_FULL, the rest at close', async () => {
  const url = await refusingUrl();
  const analytics = new Analytics({ writeKey: 'k', host: url, maxQueueSize: 50, flushAt: 10 });
  const errors = collectErrors(analytics);
  try {
    const ids: string[] = [];
    assert.doesNotThrow(() => {
      for (let i = 0; i < 200; i++) ids.push(analytics.track({ userId: 'u', event: 'Offline', properties: { i } }));
    });
    await settle();

    const full = errors.filter((error) => error.code === 'MR_ERR_QUEUE_FULL').flatMap((error) => error.messageIds);
    assert.deepEqual(full, ids.slice(50));

    await analytics.closeAndFlush({ timeout: 100 });
    const atClose = errors.filter((error) => error.code !== 'MR_ERR_QUEUE_FULL');
    assert.deepEqual(
      atClose.map((error) => error.code),
      ['MR_ERR_SHUTDOWN_TIMEOUT'],
    );
    assert.deepEqual([...atClose[0]!.messageIds].sort(), ids.slice(0, 50).sort());
  } finally {
    await analytics.closeAndFlush({ timeout: 100 });
  }
});
