import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Analytics, LIMITS } from '../../src/index.js';
import { collectErrors, countOf } from '../helpers/delivery-harness.js';
import { startIngestServer, type IngestServer, type Received } from '../helpers/ingest-server.js';

let server: IngestServer;
before(async () => {
  server = await startIngestServer();
});
after(() => server.close());

/** Requests that carry any of `ids`, in the order of the messages they carry. */
function requestsOf(ids: readonly string[]): Received[] {
  const position = new Map(ids.map((id, i) => [id, i]));
  return server.requests
    .filter((request) => request.messageIds.some((id) => position.has(id)))
    .sort((a, b) => position.get(a.messageIds[0]!)! - position.get(b.messageIds[0]!)!);
}

function assertEachArrivedOnce(ids: readonly string[]): void {
  const wanted = new Set(ids);
  const arrived = countOf(server.accepted.map((message) => String(message.messageId)).filter((id) => wanted.has(id)));
  assert.equal(arrived.size, ids.length, `all ${ids.length} messages arrived`);
  for (const [id, times] of arrived) assert.equal(times, 1, `${id} arrived once`);
}

test('flushAt: a full batch is sent at once, without flush() and without waiting for flushInterval', async () => {
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 3, flushInterval: 60_000 });
  try {
    const start = server.accepted.length;
    const ids = [1, 2, 3].map((i) => analytics.track({ userId: 'u', event: 'Full', properties: { i } }));
    await server.waitForAccepted(start + 3, 3000);

    const requests = requestsOf(ids);
    assert.equal(requests.length, 1);
    assert.deepEqual(requests[0]!.messageIds, ids);
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
  }
});

test('flushInterval: a partial batch is sent when the interval passes, without flush()', async () => {
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 100, flushInterval: 50 });
  try {
    const start = server.accepted.length;
    const ids = [analytics.track({ userId: 'u', event: 'Lonely' }), analytics.page({ userId: 'u', name: 'Home' })];
    await server.waitForAccepted(start + 2, 3000);

    const requests = requestsOf(ids);
    assert.equal(requests.length, 1, 'both calls travel together');
    assert.deepEqual(requests[0]!.messageIds, ids);
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
  }
});

test('no request body reaches 500 KB: 200 messages of ~20 KB each are cut into several requests and all arrive', async () => {
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 1000, flushInterval: 60_000 });
  const errors = collectErrors(analytics);
  try {
    const padding = 'x'.repeat(20_000);
    const ids = Array.from({ length: 200 }, (_, i) => analytics.track({ userId: 'u', event: 'Big', properties: { i, padding } }));
    await analytics.flush();

    assert.deepEqual(errors, []);
    assertEachArrivedOnce(ids);
    const requests = requestsOf(ids);
    assert.ok(requests.length >= 8, `4 MB of messages took ${requests.length} requests`);
    for (const request of requests) {
      assert.ok(request.bytes < 500_000, `request ${request.index} is ${request.bytes} bytes`);
      assert.ok(request.bytes <= LIMITS.maxBatchBytes, `request ${request.index} is ${request.bytes} bytes, over maxBatchBytes`);
    }
  } finally {
    await analytics.closeAndFlush({ timeout: 5000 });
  }
});

test('batches are cut by real UTF-8 byte length: multi-byte characters count as the bytes they take', async () => {
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 1000, flushInterval: 60_000 });
  const errors = collectErrors(analytics);
  try {
    // '€' is 1 UTF-16 unit and 3 UTF-8 bytes; '😀' is 2 units and 4 bytes.
    const euros = '€'.repeat(6_000);
    const smiles = '😀'.repeat(3_000);
    const sent: string[] = [];
    const ids = Array.from({ length: 60 }, (_, i) => {
      const properties = { i, text: i % 2 === 0 ? euros : smiles };
      sent.push(JSON.stringify(properties));
      return analytics.track({ userId: 'u', event: 'Unicode', properties });
    });
    await analytics.flush();

    assert.deepEqual(errors, []);
    assertEachArrivedOnce(ids);
    const requests = requestsOf(ids);
    const totalLength = sent.reduce((sum, json) => sum + json.length, 0);
    assert.ok(totalLength < LIMITS.maxBatchBytes, 'counted in JS string length, every message would fit one batch');
    assert.ok(requests.length >= 2, `counted in bytes they cannot: ${requests.length} requests`);

    for (const [n, request] of requests.entries()) {
      const body = JSON.stringify(request.body);
      assert.equal(Buffer.byteLength(body), request.bytes, 'the body was sent as compact JSON');
      assert.ok(request.bytes <= LIMITS.maxBatchBytes, `request ${request.index}: ${request.bytes} bytes is over ${LIMITS.maxBatchBytes}`);
      assert.ok(body.length < LIMITS.maxBatchBytes / 2, 'its JS string length would have fit twice as many');
      const next = requests[n + 1];
      if (next !== undefined) {
        // Not cut early either: the next message (and its comma) would not have fit, give or take a few bytes of accounting.
        const nextBytes = Buffer.byteLength(JSON.stringify(next.body.batch[0]));
        assert.ok(request.bytes + 1 + nextBytes > LIMITS.maxBatchBytes - 16, `request ${request.index} (${request.bytes} bytes) was cut with room for the next message (${nextBytes} bytes)`);
      }
    }
  } finally {
    await analytics.closeAndFlush({ timeout: 5000 });
  }
});

test("compression: 'gzip' sends content-encoding gzip, smaller bodies, and the same messages", async () => {
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 5, compression: 'gzip' });
  try {
    const start = server.accepted.length;
    const ids = Array.from({ length: 5 }, (_, i) => analytics.track({ userId: 'u', event: 'Zipped', properties: { i, note: 'same text '.repeat(50) } }));
    await analytics.flush();

    const requests = requestsOf(ids);
    assert.equal(requests.length, 1);
    const [request] = requests;
    assert.equal(request!.headers['content-encoding'], 'gzip');
    assert.equal(request!.headers['content-type'], 'application/json');
    assert.deepEqual(request!.messageIds, ids);
    const plain = JSON.stringify(request!.body);
    assert.ok(request!.bytes < Buffer.byteLength(plain) / 2, `gzipped ${request!.bytes} bytes vs ${Buffer.byteLength(plain)} plain`);
    assert.ok(request!.bytes < gzipSync(plain).length * 1.5, 'the body on the wire is gzip of the batch');
    assert.deepEqual(
      server.accepted.slice(start).map((message) => [message.messageId, (message.properties as { i: number }).i]),
      ids.map((id, i) => [id, i]),
    );
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
  }
});
