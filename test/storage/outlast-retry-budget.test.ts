import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULTS } from '../../src/config/defaults.js';
import { deliveryTo, trackMessage } from '../helpers/delivery-harness.js';
import { startIngestServer } from '../helpers/ingest-server.js';
import { spoolDirs } from '../helpers/spool-dir.js';

const freshDir = spoolDirs('outlast');

/** Down (503) for the first `downRequests` requests, then up. Retries wait 5 ms instead of the real backoff, so the default budget of 10 retries is spent in well under a second. */
async function outage(downRequests: number) {
  let seen = 0;
  return startIngestServer(() => (++seen <= downRequests ? { status: 503 } : { status: 200 }));
}

test('with storage and the default retry budget, an outage longer than the budget drops nothing: batches on disk are retried past it and all arrive once after recovery', { timeout: 30_000 }, async () => {
  assert.equal(DEFAULTS.maxRetries, 10, 'the test spends the default budget');
  const server = await outage(200);
  const { delivery, errors, delays } = deliveryTo(server.url, { storage: { directory: freshDir() }, flushAt: 10, maxQueueSize: 20, maxConcurrentRequests: 1 });
  try {
    const messages = Array.from({ length: 100 }, (_, i) => trackMessage('Order Completed', { i }));
    for (const message of messages) assert.equal(delivery.enqueue(message), true);
    await server.waitForAccepted(100, 20_000);
    await delivery.flush();
    assert.ok(delays.some((call) => call.attempt > DEFAULTS.maxRetries), 'a batch was retried past maxRetries');
    assert.deepEqual(errors, [], 'nothing was given up');
    assert.deepEqual(server.accepted.map((message) => message.messageId).sort(), messages.map((message) => message.messageId).sort(), 'every message, once');
    const { delivered, dropped, pending } = delivery.counters;
    assert.deepEqual({ delivered, dropped, pending }, { delivered: 100, dropped: 0, pending: 0 });
  } finally {
    await delivery.shutdown(1000);
    await server.close();
  }
});

test('during such an outage, flush() resolves once the budgets are spent, and a close waits for its deadline, then keeps what is left in storage for the next start', { timeout: 30_000 }, async () => {
  const down = await startIngestServer(() => ({ status: 503 }));
  const directory = freshDir();
  const first = deliveryTo(down.url, { storage: { directory }, flushAt: 10, maxQueueSize: 20, maxConcurrentRequests: 1, maxRetries: 2 });
  const messages = Array.from({ length: 50 }, (_, i) => trackMessage('Order Completed', { i }));
  for (const message of messages) first.delivery.enqueue(message);
  await first.delivery.flush();
  assert.equal(first.delivery.counters.pending, 50, 'nothing delivered, nothing dropped: all still pending');
  await first.delivery.shutdown(300);
  assert.deepEqual(first.errors.map((error) => error.code), ['MR_ERR_KEPT_IN_STORAGE'], 'nothing dropped');
  assert.equal(first.delivery.counters.pending, 50);
  await down.close();

  const up = await startIngestServer();
  const second = deliveryTo(up.url, { storage: { directory } });
  try {
    await new Promise((resolve) => setImmediate(resolve));
    await second.delivery.flush();
    assert.deepEqual(up.accepted.map((message) => message.messageId).sort(), messages.map((message) => message.messageId).sort());
  } finally {
    await second.delivery.shutdown(1000);
    await up.close();
  }
});
