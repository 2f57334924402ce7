import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { collectErrors } from '../helpers/delivery-harness.js';
import { startIngestServer, type Script } from '../helpers/ingest-server.js';

/**
 * Sends three calls in one batch to a server run by `script`, flushes, and returns what happened.
 * maxRetries is 1: a wrong retry would show as a second request (after a real, short backoff).
 */
async function sendOneBatch(script: Script) {
  const server = await startIngestServer(script);
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 3, maxRetries: 1 });
  const errors = collectErrors(analytics);
  try {
    const ids = [
      analytics.track({ userId: 'u', event: 'First' }),
      analytics.page({ userId: 'u', name: 'Home' }),
      analytics.identify({ userId: 'u', traits: { plan: 'pro' } }),
    ];
    await analytics.flush();
    return { ids, errors, requests: [...server.requests], accepted: [...server.accepted] };
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
}

for (const [status, code] of [
  [400, 'MR_ERR_REJECTED'],
  [422, 'MR_ERR_REJECTED'],
  [409, 'MR_ERR_REJECTED'],
  [501, 'MR_ERR_REJECTED'],
  [505, 'MR_ERR_REJECTED'],
  [401, 'MR_ERR_UNAUTHORIZED'],
  [403, 'MR_ERR_UNAUTHORIZED'],
  [404, 'MR_ERR_ENDPOINT_NOT_FOUND'],
] as const) {
  test(`${status} drops the batch after one request and reports ${code} with its messageIds and status`, async () => {
    const { ids, errors, requests } = await sendOneBatch(() => ({ status, body: `{"error":"no (${status})"}` }));

    assert.equal(requests.length, 1, 'sent exactly once, never retried');
    assert.deepEqual(requests[0]!.messageIds, ids);
    assert.equal(errors.length, 1);
    const [error] = errors;
    assert.equal(error!.code, code);
    assert.deepEqual(error!.messageIds, ids);
    assert.equal(error!.status, status);
    assert.match(error!.message, new RegExp(`${status}`));
    assert.ok(!error!.message.includes('Basic '), 'the report does not echo credentials');
  });
}

test('207 with an Errors array reports MR_ERR_PARTIAL_REJECTED naming only the rejected ids, and does not retry', async () => {
  const rejected: string[] = [];
  const { ids, errors, requests, accepted } = await sendOneBatch((request) => {
    rejected.push(request.messageIds[1]!);
    return { status: 207, body: JSON.stringify({ Errors: [{ messageId: request.messageIds[1], error: 'invalid name' }] }) };
  });

  assert.equal(requests.length, 1, 'sent exactly once, never retried');
  assert.deepEqual(requests[0]!.messageIds, ids);
  assert.equal(accepted.length, 3, 'the server answered 2xx for the batch');
  assert.equal(errors.length, 1);
  const [error] = errors;
  assert.equal(error!.code, 'MR_ERR_PARTIAL_REJECTED');
  assert.deepEqual(error!.messageIds, [ids[1]]);
  assert.deepEqual(error!.messageIds, rejected);
  assert.equal(error!.status, 207);
  assert.match(error!.message, /invalid name/);
});

test('a 400 drops only that batch: the next batches are delivered', async () => {
  const server = await startIngestServer((request) => (request.index === 0 ? { status: 400, body: '{"error":"malformed"}' } : { status: 200 }));
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 2, maxRetries: 1, maxConcurrentRequests: 1 });
  const errors = collectErrors(analytics);
  try {
    const ids = [0, 1, 2, 3, 4, 5].map((i) => analytics.track({ userId: 'u', event: 'Numbered', properties: { i } }));
    await analytics.flush();

    assert.equal(server.requests.length, 3);
    const dropped = server.requests[0]!.messageIds;
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'MR_ERR_REJECTED');
    assert.deepEqual(errors[0]!.messageIds, dropped);
    assert.deepEqual(
      server.accepted.map((message) => message.messageId).sort(),
      ids.filter((id) => !dropped.includes(id)).sort(),
    );
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});
