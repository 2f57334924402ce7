import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { collectErrors, countOf } from '../helpers/delivery-harness.js';
import { startIngestServer } from '../helpers/ingest-server.js';

test('413 for any batch of more than 2 messages: the batch is split until the halves are accepted, and every message arrives once', async () => {
  const server = await startIngestServer((request) => (request.messageIds.length > 2 ? { status: 413 } : { status: 200 }));
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 10, maxRetries: 0 });
  const errors = collectErrors(analytics);
  try {
    const ids = Array.from({ length: 10 }, (_, i) => analytics.track({ userId: 'u', event: 'Split', properties: { i } }));
    await analytics.flush();

    assert.deepEqual(errors, [], 'nothing reported');
    assert.deepEqual(server.requests[0]!.messageIds, ids, 'the whole batch went first');
    const accepted = countOf(server.accepted.map((message) => String(message.messageId)));
    assert.deepEqual([...accepted.keys()].sort(), [...ids].sort(), 'every message arrived');
    for (const [id, times] of accepted) assert.equal(times, 1, `${id} arrived once`);
    for (const request of server.requests) {
      if (request.messageIds.length <= 2) continue;
      // A request the server refused is followed by requests holding exactly its messages, in two parts.
      const parts = server.requests.filter(
        (other) => other.index > request.index && other.messageIds.length < request.messageIds.length && other.messageIds.every((id) => request.messageIds.includes(id)),
      );
      assert.ok(parts.length >= 2, `the refused batch of ${request.messageIds.length} was split`);
    }
    // maxRetries: 0 shows that halves are not retries of the refused batch.
    assert.ok(server.requests.length > 5, `split into ever smaller batches (${server.requests.length} requests)`);
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

test('a single message answered 413 is dropped and reported with MR_ERR_MESSAGE_TOO_LARGE', async () => {
  const server = await startIngestServer(() => ({ status: 413 }));
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 1 });
  const errors = collectErrors(analytics);
  try {
    const id = analytics.track({ userId: 'u', event: 'Huge for this server' });
    await analytics.flush();

    assert.equal(server.requests.length, 1, 'a single message is not resent');
    assert.deepEqual(server.requests[0]!.messageIds, [id]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'MR_ERR_MESSAGE_TOO_LARGE');
    assert.deepEqual(errors[0]!.messageIds, [id]);
    assert.equal(errors[0]!.status, 413);
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

test('one message the server finds too large among others: it alone is dropped and reported, the rest arrive once', async () => {
  let big = '';
  const server = await startIngestServer((request) => (request.messageIds.includes(big) ? { status: 413 } : { status: 200 }));
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 7 });
  const errors = collectErrors(analytics);
  try {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const id = analytics.track({ userId: 'u', event: 'Mixed', properties: { i } });
      if (i === 4) big = id;
      ids.push(id);
    }
    await analytics.flush();

    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'MR_ERR_MESSAGE_TOO_LARGE');
    assert.deepEqual(errors[0]!.messageIds, [big]);
    const accepted = countOf(server.accepted.map((message) => String(message.messageId)));
    assert.deepEqual(
      [...accepted.keys()].sort(),
      ids.filter((id) => id !== big).sort(),
    );
    for (const [id, times] of accepted) assert.equal(times, 1, `${id} arrived once`);
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});
