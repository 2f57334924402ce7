import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics, type MetaRouterError } from '../../src/index.js';
import { partial, reply, startFaultServer, type Fault } from '../helpers/fault-server.js';

const MESSAGES = 600;

async function sendOneBatch(answer: (ids: string[]) => Fault): Promise<{ errors: MetaRouterError[]; ids: string[]; delivered: number; dropped: number; requests: number }> {
  const server = await startFaultServer(async (request) => answer((await request.readBody()).messageIds));
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: MESSAGES, maxRetries: 2 });
  const errors: MetaRouterError[] = [];
  analytics.on('error', (error) => errors.push(error));
  try {
    const ids = Array.from({ length: MESSAGES }, (_, i) => analytics.track({ userId: 'u', event: 'Numbered', properties: { i } }));
    await analytics.flush();
    const { delivered, dropped } = analytics.counters!;
    return { errors, ids, delivered, dropped, requests: server.requests.length };
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
}

test('a 207 naming every message of a 600-message batch (over 64 KB of JSON) reports all 600 ids as rejected and counts none delivered', async () => {
  const outcome = await sendOneBatch((ids) => partial(ids, 'rejected by a rule whose explanation takes some words'));
  assert.equal(outcome.requests, 1, 'a 207 is not retried');
  assert.deepEqual(outcome.errors.map((error) => error.code), ['MR_ERR_PARTIAL_REJECTED']);
  assert.deepEqual([...(outcome.errors[0] as MetaRouterError & { messageIds: string[] }).messageIds].sort(), [...outcome.ids].sort());
  assert.equal(outcome.delivered, 0);
  assert.equal(outcome.dropped, MESSAGES);
});

test('a 207 whose body cannot be read (not JSON, no Errors list, or past the read limit) is not counted delivered: the whole batch is reported MR_ERR_PARTIAL_UNREADABLE, once', async () => {
  const unreadable: Array<[string, (ids: string[]) => Fault]> = [
    ['not JSON', () => reply(207, { body: '<html>multi-status</html>' })],
    ['no Errors list', () => reply(207, { body: '{"ok":false}' })],
    ['an error naming no messageId', () => reply(207, { body: '{"Errors":[{"error":"bad"}]}' })],
    ['over the read limit', (ids) => partial(ids.slice(0, 1), 'x'.repeat(3 * 1024 * 1024))],
  ];
  for (const [name, answer] of unreadable) {
    const outcome = await sendOneBatch(answer);
    assert.equal(outcome.requests, 1, `${name}: not retried`);
    assert.deepEqual(outcome.errors.map((error) => error.code), ['MR_ERR_PARTIAL_UNREADABLE'], name);
    const error = outcome.errors[0] as MetaRouterError & { messageIds: string[]; status: number };
    assert.equal(error.messageIds.length, MESSAGES, `${name}: every id of the batch is named`);
    assert.equal(error.status, 207);
    assert.equal(outcome.delivered, 0, `${name}: nothing counted delivered`);
    assert.equal(outcome.dropped, MESSAGES, name);
  }
});
