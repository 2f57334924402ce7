import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics, ConfigurationError } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';

test('closeAndFlush(null) closes with the default deadline, as closeAndFlush() does', async () => {
  const server = await startIngestServer();
  try {
    const analytics = new Analytics({ writeKey: 'k', host: server.url });
    const id = analytics.track({ userId: 'u', event: 'Before Close' });
    await analytics.closeAndFlush(null as never);
    assert.deepEqual(server.accepted.map((message) => message.messageId), [id]);
  } finally {
    await server.close();
  }
});

test('closeAndFlush with options that are not an object, or whose timeout cannot be read, rejects with a ConfigurationError (never a TypeError) and does not close', async () => {
  const server = await startIngestServer();
  try {
    const analytics = new Analytics({ writeKey: 'k', host: server.url });
    const throwing = Object.defineProperty({}, 'timeout', { get: () => { throw new Error('no'); } });
    for (const options of [5000, 'soon', throwing]) {
      let outcome: unknown;
      try {
        outcome = await analytics.closeAndFlush(options as never).then(() => 'resolved');
      } catch (error) {
        outcome = error;
      }
      assert.ok(outcome instanceof ConfigurationError, `${typeof options}: ${String(outcome)}`);
      assert.equal(outcome.option, 'options');
    }
    const id = analytics.track({ userId: 'u', event: 'Still Open' });
    await analytics.closeAndFlush();
    assert.deepEqual(server.accepted.map((message) => message.messageId), [id]);
  } finally {
    await server.close();
  }
});
