import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countOf, deliveryTo, trackMessage, waitFor } from '../helpers/delivery-harness.js';
import { startIngestServer } from '../helpers/ingest-server.js';

test('a success sends the batches waiting out our own backoff at once, and leaves a wait the server asked for', async () => {
  const seen = new Map<string, number>();
  const server = await startIngestServer((request) => {
    const id = request.messageIds[0]!;
    const attempt = (seen.get(id) ?? 0) + 1;
    seen.set(id, attempt);
    const event = request.body.batch[0]!.event;
    if (attempt === 1 && event === 'Backoff') return { status: 503 };
    if (attempt === 1 && event === 'Server wait') return { status: 429, headers: { 'retry-after': '60' } };
    return { status: 200 };
  });
  // Every wait is a minute: only the wake can bring a batch back within the test.
  const harness = deliveryTo(server.url, { flushAt: 1, maxConcurrentRequests: 1, maxRetries: 5, delayMillis: 60_000 });
  try {
    const [backoff, serverWait, healthy] = ['Backoff', 'Server wait', 'Healthy'].map((event) => trackMessage(event));
    for (const message of [backoff!, serverWait!, healthy!]) harness.delivery.enqueue(message);

    await waitFor(() => server.accepted.length === 2, 'the healthy batch, then the woken one, accepted');
    assert.deepEqual(
      server.requests.map((request) => request.messageIds[0]),
      [backoff!.messageId, serverWait!.messageId, healthy!.messageId, backoff!.messageId],
      'the batch in our backoff went again right after the success',
    );
    assert.deepEqual(server.accepted.map((message) => message.messageId), [healthy!.messageId, backoff!.messageId]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(countOf(server.requests.map((request) => request.messageIds[0]!)).get(serverWait!.messageId), 1, 'the wait the server asked for is kept');
    assert.equal(harness.delivery.counters.retries, 2);
  } finally {
    await harness.delivery.shutdown(100);
    await server.close();
  }
});
