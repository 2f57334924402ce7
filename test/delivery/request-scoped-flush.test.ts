import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Delivery } from '../../src/delivery/delivery.js';
import type { DeliveryError } from '../../src/errors/metarouter-error.js';
import type { Transport, TransportResult } from '../../src/transport/transport-result.js';
import { trackMessage } from '../helpers/delivery-harness.js';

const OK: TransportResult = { kind: 'success', status: 200, rejectedIds: [], detail: '' };

/**
 * A transport that says its I/O is request-scoped, as the fetch transport does on Cloudflare
 * Workers, and answers each request with what `answer` gives (a promise that never settles stands
 * for a request cancelled with the request that started it). It records the messageIds it was sent.
 */
function scopedTransport(answer: (index: number) => Promise<TransportResult>): Transport & { sent: string[][] } {
  const sent: string[][] = [];
  return {
    requestScoped: true,
    sent,
    send(body) {
      sent.push((JSON.parse(body.toString()) as { batch: Array<{ messageId: string }> }).batch.map((message) => message.messageId));
      return answer(sent.length - 1);
    },
    close: async () => {},
  };
}

function engine(transport: Transport, errors: DeliveryError[] = [], httpRequestTimeout = 10_000): Delivery {
  return new Delivery(
    { writeKey: 'key', flushAt: 2, flushInterval: 10_000, maxQueueSize: 100, maxRetries: 3, maxRetryDuration: 60_000, maxConcurrentRequests: 4, disable: false, httpRequestTimeout, retryDelay: () => 1 },
    transport,
    (error) => errors.push(error),
  );
}

test('request-scoped I/O: a full batch is not sent in the background; the flush sends it and resolves on its answer', async () => {
  const transport = scopedTransport(async () => OK);
  const delivery = engine(transport);
  const messages = [trackMessage('A'), trackMessage('B')];
  for (const message of messages) delivery.enqueue(message);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(transport.sent, [], 'nothing sent outside a flush');
  await delivery.flush();
  assert.deepEqual(transport.sent, [messages.map((message) => message.messageId)]);
  assert.equal(delivery.counters.delivered, 2);
  await delivery.shutdown(1000);
});

test('request-scoped I/O: after a 413 the flush sends both halves itself and waits for them', async () => {
  const transport = scopedTransport(async (index) => (index === 0 ? { kind: 'too-large', status: 413 } : OK));
  const delivery = engine(transport);
  const messages = [trackMessage('A'), trackMessage('B')];
  for (const message of messages) delivery.enqueue(message);
  await delivery.flush();
  assert.deepEqual(transport.sent, [messages.map((message) => message.messageId), [messages[0]!.messageId], [messages[1]!.messageId]]);
  assert.equal(delivery.counters.delivered, 2);
  assert.equal(delivery.counters.pending, 0);
  await delivery.shutdown(1000);
});

test('request-scoped I/O: a request that never answers (cancelled with its request) is sent again by a flush once past its deadline', { timeout: 20_000 }, async () => {
  const transport = scopedTransport((index) => (index === 0 ? new Promise<TransportResult>(() => {}) : Promise.resolve(OK)));
  const errors: DeliveryError[] = [];
  const delivery = engine(transport, errors, 50);
  const message = trackMessage('A');
  delivery.enqueue(message);
  // The request that flushed without waiting: its send starts, and its answer never comes.
  void delivery.flush();
  await delivery.flush();
  assert.deepEqual(transport.sent, [[message.messageId], [message.messageId]]);
  assert.deepEqual(errors, []);
  assert.equal(delivery.counters.delivered, 1);
  assert.equal(delivery.counters.retries, 1);
  await delivery.shutdown(1000);
});
