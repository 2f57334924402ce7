import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { Analytics, DEFAULTS } from '../../src/index.js';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';

let server: IngestServer;
before(async () => {
  server = await startIngestServer();
});
after(() => server.close());

test('by default a batch is 500 messages: 499 wait for flushInterval, the 500th sends them all in one request', async () => {
  assert.equal(DEFAULTS.flushAt, 500);
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushInterval: 60_000 });
  try {
    const start = server.requests.length;
    const acceptedBefore = server.accepted.length;
    const ids = Array.from({ length: 499 }, (_, i) => analytics.track({ userId: 'u', event: 'Default Batch', properties: { i } }));
    await sleep(50);
    assert.equal(server.requests.length, start, 'no request before the batch is full');

    ids.push(analytics.track({ userId: 'u', event: 'Default Batch', properties: { i: 499 } }));
    await server.waitForAccepted(acceptedBefore + 500, 3000);
    assert.deepEqual(
      server.requests.slice(start).map((request) => request.messageIds),
      [ids],
    );
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
  }
});
