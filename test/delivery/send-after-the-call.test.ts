import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';

let server: IngestServer;
before(async () => {
  server = await startIngestServer();
});
after(() => server.close());

test('the call that fills a batch returns before its request starts; the batch is sent right after that turn', async () => {
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 3, flushInterval: 60_000 });
  try {
    const start = server.accepted.length;
    const ids = [1, 2, 3].map((i) => analytics.track({ userId: 'u', event: 'Filled', properties: { i } }));
    assert.equal(analytics.counters!.requests, 0, 'no request started inside the call that filled the batch');

    await nextTurn();
    assert.equal(analytics.counters!.requests, 1, 'the full batch went out in the next turn, without flush()');
    await server.waitForAccepted(start + 3, 3000);
    assert.deepEqual(
      server.accepted.slice(start).map((message) => message.messageId),
      ids,
    );
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
  }
});
