import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { Analytics, DeliveryError, MetaRouterError, ValidationError } from '../../src/index.js';
import type { DeliveryWaiters } from '../../src/delivery/delivery-waiters.js';
import { collectErrors } from '../helpers/delivery-harness.js';
import { spoolDirs } from '../helpers/spool-dir.js';
import { OK, partial, reply, retryAfter, sequence, startFaultServer, type FaultServer } from '../helpers/fault-server.js';

/** A guard so that a waiter never settled fails the test instead of hanging it; not a measurement. */
const HANG = { timeout: 10_000 };

/** The engine's waiters, read to prove that calls nobody awaits allocate none. */
function waitersOf(analytics: Analytics): DeliveryWaiters {
  return (analytics as unknown as { pipeline: { delivery: { waiters: DeliveryWaiters } } }).pipeline.delivery.waiters;
}

async function withServer(script: FaultServer['script'], run: (server: FaultServer) => Promise<void>): Promise<void> {
  const server = await startFaultServer(script);
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

/** The rejection of `promise`, which must reject. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the promise to reject');
}

test('whenDelivered resolves once the batch holding the message got a 2xx', HANG, async () => {
  await withServer(() => OK, async (server) => {
    const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 1 });
    try {
      const id = analytics.track({ userId: 'u', event: 'Paid' });
      await analytics.whenDelivered(id);
      assert.deepEqual(server.acknowledgedIds(), [id]);
    } finally {
      await analytics.closeAndFlush({ timeout: 1000 });
    }
  });
});

test('whenDelivered rejects with the reported DeliveryError when the server answers 400', HANG, async () => {
  await withServer(() => reply(400), async (server) => {
    const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 1 });
    const errors = collectErrors(analytics);
    try {
      const id = analytics.track({ userId: 'u', event: 'Refused' });
      const error = await rejectionOf(analytics.whenDelivered(id));
      assert.ok(error instanceof DeliveryError);
      assert.equal(error.code, 'MR_ERR_REJECTED');
      assert.equal(error.status, 400);
      assert.deepEqual(error.messageIds, [id]);
      assert.equal(errors[0], error, 'the same error as the one reported');
    } finally {
      await analytics.closeAndFlush({ timeout: 1000 });
    }
  });
});

test('whenDelivered on a 207: the message it names rejects with MR_ERR_PARTIAL_REJECTED, its batch-mate resolves', HANG, async () => {
  let rejectedId = '';
  await withServer(() => partial([rejectedId]), async (server) => {
    const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 2 });
    collectErrors(analytics);
    try {
      const kept = analytics.track({ userId: 'u', event: 'Kept' });
      rejectedId = analytics.track({ userId: 'u', event: 'Named in the 207' });
      const [keptOutcome, rejectedOutcome] = await Promise.allSettled([analytics.whenDelivered(kept), analytics.whenDelivered(rejectedId)]);
      assert.equal(keptOutcome.status, 'fulfilled');
      assert.equal(rejectedOutcome.status, 'rejected');
      const error = (rejectedOutcome as PromiseRejectedResult).reason as DeliveryError;
      assert.equal(error.code, 'MR_ERR_PARTIAL_REJECTED');
      assert.deepEqual(error.messageIds, [rejectedId]);
    } finally {
      await analytics.closeAndFlush({ timeout: 1000 });
    }
  });
});

test('whenDelivered waits through retries: two 503s, then a 200, and it resolves', HANG, async () => {
  await withServer(sequence([retryAfter(503, 0), retryAfter(503, 0)]), async (server) => {
    const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 1 });
    try {
      const id = analytics.track({ userId: 'u', event: 'Eventually' });
      await analytics.whenDelivered(id);
      assert.equal(server.requests.length, 3);
      assert.equal(analytics.counters?.retries, 2);
    } finally {
      await analytics.closeAndFlush({ timeout: 1000 });
    }
  });
});

test('whenDelivered for a message the full queue refused rejects with MR_ERR_QUEUE_FULL', HANG, async () => {
  await withServer(() => ({ kind: 'stall' }), async (server) => {
    const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 100, maxQueueSize: 1 });
    collectErrors(analytics);
    try {
      analytics.track({ userId: 'u', event: 'Fills the queue' });
      const refused = analytics.track({ userId: 'u', event: 'No room' });
      const error = await rejectionOf(analytics.whenDelivered(refused));
      assert.ok(error instanceof DeliveryError);
      assert.equal(error.code, 'MR_ERR_QUEUE_FULL');
      assert.deepEqual(error.messageIds, [refused]);
    } finally {
      await analytics.closeAndFlush({ timeout: 200 });
    }
  });
});

test('whenDelivered at a close deadline: in memory it rejects with MR_ERR_SHUTDOWN_TIMEOUT, with storage MR_ERR_KEPT_IN_STORAGE', HANG, async () => {
  const directory = spoolDirs('when-delivered');
  await withServer(() => ({ kind: 'stall' }), async (server) => {
    for (const [storage, code] of [[undefined, 'MR_ERR_SHUTDOWN_TIMEOUT'], [{ directory: directory() }, 'MR_ERR_KEPT_IN_STORAGE']] as const) {
      const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 1, storage });
      collectErrors(analytics);
      const id = analytics.track({ userId: 'u', event: 'Never answered' });
      const outcome = rejectionOf(analytics.whenDelivered(id));
      await analytics.closeAndFlush({ timeout: 100 });
      const error = await outcome;
      assert.ok(error instanceof DeliveryError);
      assert.equal(error.code, code);
      assert.deepEqual(error.messageIds, [id]);
    }
  });
});

test('whenDelivered resolves for a message beforeSend dropped: filtered is the user\'s decision, not a failure', HANG, async () => {
  await withServer(() => OK, async (server) => {
    const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 1, beforeSend: (message) => (message.event === 'Internal' ? null : message) });
    try {
      const id = analytics.track({ userId: 'u', event: 'Internal' });
      await analytics.whenDelivered(id);
      await analytics.flush();
      assert.deepEqual(server.ingestedIds(), []);
    } finally {
      await analytics.closeAndFlush({ timeout: 1000 });
    }
  });
});

test('whenDelivered rejects with MR_ERR_UNKNOWN_MESSAGE for an id it never held, for one already settled, and after closeAndFlush', HANG, async () => {
  await withServer(() => OK, async (server) => {
    const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 1 });
    collectErrors(analytics);
    const delivered = analytics.track({ userId: 'u', event: 'Settled' });
    await analytics.flush();
    for (const id of ['never-sent', delivered]) {
      const error = await rejectionOf(analytics.whenDelivered(id));
      assert.ok(error instanceof DeliveryError);
      assert.equal(error.code, 'MR_ERR_UNKNOWN_MESSAGE');
      assert.deepEqual(error.messageIds, [id]);
    }
    await analytics.closeAndFlush({ timeout: 1000 });
    const afterClose = analytics.track({ userId: 'u', event: 'Too late' });
    assert.equal(((await rejectionOf(analytics.whenDelivered(afterClose))) as MetaRouterError).code, 'MR_ERR_UNKNOWN_MESSAGE');
  });
});

test('whenDelivered rejects a messageId that is not a non-empty string with a ValidationError', HANG, async () => {
  const analytics = new Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9', disable: true });
  for (const bad of ['', undefined, 42]) {
    const error = await rejectionOf(analytics.whenDelivered(bad as string));
    assert.ok(error instanceof ValidationError);
    assert.equal(error.field, 'messageId');
  }
  await analytics.closeAndFlush();
});

test('whenDelivered with a loggerProvider rejects with MR_ERR_OUTCOME_UNAVAILABLE: the user\'s pipeline delivers', HANG, async () => {
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: new InMemoryLogRecordExporter() })] });
  const analytics = new Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9', loggerProvider: provider });
  try {
    const id = analytics.track({ userId: 'u', event: 'Through the provider' });
    const error = await rejectionOf(analytics.whenDelivered(id));
    assert.ok(error instanceof DeliveryError);
    assert.equal(error.code, 'MR_ERR_OUTCOME_UNAVAILABLE');
  } finally {
    await analytics.closeAndFlush();
    await provider.shutdown();
  }
});

test('calls nobody awaits allocate no waiter: the map is made only at the first whenDelivered', HANG, async () => {
  await withServer(() => OK, async (server) => {
    const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 10 });
    try {
      for (let i = 0; i < 50; i++) analytics.track({ userId: 'u', event: `Unawaited ${i}` });
      await analytics.flush();
      assert.equal(server.ingestedIds().length, 50);
      assert.equal(waitersOf(analytics).allocated, false);
      await Promise.all([analytics.whenDelivered(analytics.track({ userId: 'u', event: 'Awaited' })), analytics.flush()]);
      assert.equal(waitersOf(analytics).allocated, true);
    } finally {
      await analytics.closeAndFlush({ timeout: 1000 });
    }
  });
});
