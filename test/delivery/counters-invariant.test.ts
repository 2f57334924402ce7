import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { refusingUrl } from '../helpers/delivery-harness.js';
import { startIngestServer } from '../helpers/ingest-server.js';

test('accepted = delivered + dropped once the queue is empty, even when calls were refused for a full queue and after close', async () => {
  const server = await startIngestServer();
  const analytics = new Analytics({ writeKey: 'k', host: server.url, maxQueueSize: 5, flushAt: 100 });
  analytics.on('error', () => {});
  try {
    for (let i = 0; i < 9; i++) analytics.track({ userId: 'u', event: `E${i}` });
    await analytics.flush();
    await analytics.closeAndFlush();
    analytics.track({ userId: 'u', event: 'Late' });

    const { accepted, delivered, dropped, refused, pending } = analytics.counters!;
    assert.deepEqual({ accepted, delivered, dropped, refused, pending }, { accepted: 5, delivered: 5, dropped: 0, refused: 5, pending: 0 });
    assert.equal(accepted, delivered + dropped + pending);
  } finally {
    await server.close();
  }
});

test('accepted = delivered + dropped + pending at every moment of an outage, and after the close deadline gives up', async () => {
  const analytics = new Analytics({ writeKey: 'k', host: await refusingUrl(), maxQueueSize: 20, flushAt: 5, maxRetries: 1000 });
  analytics.on('error', () => {});
  for (let i = 0; i < 30; i++) {
    analytics.track({ userId: 'u', event: `E${i}` });
    const c = analytics.counters!;
    assert.equal(c.accepted, c.delivered + c.dropped + c.pending, `after call ${i}`);
  }
  assert.deepEqual([analytics.counters!.pending, analytics.counters!.refused], [20, 10]);
  await analytics.closeAndFlush({ timeout: 50 });
  const c = analytics.counters!;
  assert.deepEqual([c.accepted, c.delivered, c.dropped, c.pending], [20, 0, 20, 0]);
});
