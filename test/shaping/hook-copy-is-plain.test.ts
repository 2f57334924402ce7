import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics, type SegmentMessage } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';

test('a hook’s copy holds no symbol-keyed property: nothing in it reaches the caller’s own objects', async () => {
  const server = await startIngestServer();
  const secret = Symbol('secret');
  const callerObject = { untouched: true };
  const seen: SegmentMessage[] = [];
  const analytics = new Analytics({
    writeKey: 'k',
    host: server.url,
    beforeSend: (message) => {
      seen.push(message);
      for (const part of [message, message.properties, message.context, (message.properties as Record<string, unknown>).nested]) {
        for (const key of Object.getOwnPropertySymbols(part ?? {})) ((part as Record<symbol, Record<string, unknown>>)[key]!).untouched = false;
      }
      return message;
    },
  });
  try {
    analytics.track({ userId: 'u1', event: 'Paid', [secret]: callerObject, properties: { plan: 'pro', [secret]: callerObject, nested: { [secret]: callerObject } }, context: { app: 'a', [secret]: callerObject } } as never);
    await analytics.flush();
    assert.equal(seen.length, 1);
    const [message] = seen;
    for (const part of [message!, message!.properties, message!.context, (message!.properties as Record<string, unknown>).nested]) {
      assert.deepEqual(Object.getOwnPropertySymbols(part), []);
    }
    assert.deepEqual(callerObject, { untouched: true });
    assert.deepEqual(server.accepted[0]!.properties, { plan: 'pro', nested: {} });
  } finally {
    await analytics.closeAndFlush();
    await server.close();
  }
});
