import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics, ConfigurationError, type AnalyticsOptions } from '../../src/index.js';
import type { DeliveryError } from '../../src/errors/metarouter-error.js';
import { collectErrors, waitFor } from '../helpers/delivery-harness.js';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';
import { spoolDirs } from '../helpers/spool-dir.js';

const freshDir = spoolDirs('evict');

/** The smallest disk limit: segments of about 33 KB, about 1,700 messages in all. */
const MAX_BYTES = 256 * 1024;

/** 503 until `up`; with `gate`, the first request waits for it and is answered with what it resolves to. */
async function server(): Promise<IngestServer & { up: boolean; gate?: Promise<number>; first?: string[] }> {
  const control: { up: boolean; gate?: Promise<number>; first?: string[] } = { up: false };
  const ingest = await startIngestServer(async (request) => {
    if (control.gate !== undefined && control.first === undefined) {
      control.first = request.messageIds;
      return { status: await control.gate };
    }
    return { status: control.up ? 200 : 503 };
  });
  return Object.assign(control, ingest);
}

function durable(ingest: IngestServer, directory: string, options: Partial<AnalyticsOptions> = {}): Analytics {
  return new Analytics({ writeKey: 'k', host: ingest.url, storage: { directory, maxBytes: MAX_BYTES, whenFull: 'drop_oldest' }, flushAt: 10, maxQueueSize: 20, maxConcurrentRequests: 1, maxRetries: 100_000, maxRetryDuration: 600_000, ...options });
}

const send = (analytics: Analytics, count: number, prefix: string) => Array.from({ length: count }, (_, i) => analytics.track({ userId: 'u', event: 'Order Completed', messageId: `${prefix}-${i}`, properties: { i } }));
const turns = async (count: number) => {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
};

function assertInvariant(analytics: Analytics): void {
  const { accepted, recovered, delivered, dropped, pending } = analytics.counters!;
  assert.equal(accepted + recovered, delivered + dropped + pending, JSON.stringify(analytics.counters));
}

/** Each id delivered once or reported evicted once, never both, never neither; evicted ones counted. */
function assertEachOnce(analytics: Analytics, ingest: IngestServer, errors: DeliveryError[], ids: readonly string[]): string[] {
  const evicted = errors.filter((error) => error.code === 'MR_ERR_EVICTED').flatMap((error) => error.messageIds);
  const delivered = ingest.accepted.map((message) => message.messageId as string);
  assert.equal(new Set(evicted).size, evicted.length, 'no message reported evicted twice');
  assert.equal(new Set(delivered).size, delivered.length, 'no message delivered twice');
  assert.deepEqual(evicted.filter((id) => delivered.includes(id)), [], 'no message both delivered and evicted');
  assert.deepEqual([...evicted, ...delivered].sort(), [...ids].sort(), 'every message delivered or reported evicted');
  assert.equal(analytics.counters!.evicted, evicted.length);
  assert.equal(analytics.counters!.dropped, evicted.length);
  assertInvariant(analytics);
  return evicted;
}

test("storage.whenFull 'drop_oldest': past storage.maxBytes every call is accepted, the oldest messages are evicted and reported with their ids, and the rest arrive after the outage", async () => {
  const ingest = await server();
  const analytics = durable(ingest, freshDir());
  const errors = collectErrors(analytics);
  try {
    const ids = send(analytics, 5000, 'old');
    await turns(3);
    assert.deepEqual([analytics.counters!.accepted, analytics.counters!.refused], [5000, 0], 'nothing refused');
    assert.ok(analytics.counters!.evicted > 2000, `evicted ${analytics.counters!.evicted}`);
    assertInvariant(analytics);
    ingest.up = true;
    await analytics.flush();
    const evicted = assertEachOnce(analytics, ingest, errors, ids);
    assert.deepEqual(evicted.slice().sort(), ids.slice(0, evicted.length).sort(), 'the evicted are the oldest');
    assert.equal(analytics.counters!.pending, 0);
    assert.deepEqual(errors.filter((error) => error.code !== 'MR_ERR_EVICTED'), []);
  } finally {
    await analytics.closeAndFlush({ timeout: 500 });
    await ingest.close();
  }
});

for (const [status, fate] of [[200, 'delivered, not evicted'], [503, 'dropped as evicted once, not retried']] as const) {
  test(`a batch in a request in flight when its segment is evicted, answered ${status}: ${fate}; each message counted once`, async () => {
    const ingest = await server();
    let answer!: (status: number) => void;
    ingest.gate = new Promise((resolve) => (answer = resolve));
    const analytics = durable(ingest, freshDir());
    const errors = collectErrors(analytics);
    try {
      const ids = send(analytics, 10, 'flight');
      await waitFor(() => ingest.first !== undefined, 'the first request');
      ids.push(...send(analytics, 5000, 'later'));
      await turns(3);
      const early = errors.filter((error) => error.code === 'MR_ERR_EVICTED').flatMap((error) => error.messageIds);
      assert.deepEqual(early.filter((id) => ingest.first!.includes(id)), [], 'messages in flight are not evicted while their request runs');
      answer(status);
      ingest.up = true;
      await analytics.flush();
      const evicted = assertEachOnce(analytics, ingest, errors, ids);
      const inFlight = ingest.first!;
      if (status === 200) assert.deepEqual(evicted.filter((id) => inFlight.includes(id)), []);
      else assert.deepEqual(inFlight.filter((id) => evicted.includes(id)), inFlight);
      assert.equal(ingest.requests.filter((request) => request.messageIds.includes(inFlight[0]!)).length, 1, 'the request in flight is not retried');
    } finally {
      await analytics.closeAndFlush({ timeout: 500 });
      await ingest.close();
    }
  });
}

test('evicting what an earlier process left and this one never read: counted recovered, then dropped, each reported once', async () => {
  const ingest = await server();
  const directory = freshDir();
  const first = durable(ingest, directory, { storage: { directory, maxBytes: MAX_BYTES } });
  const firstIds = send(first, 1000, 'left');
  assert.equal(first.counters!.refused, 0);
  await first.closeAndFlush({ timeout: 0 });
  ingest.requests.length = 0;

  const second = durable(ingest, directory);
  const errors = collectErrors(second);
  try {
    const ids = send(second, 3000, 'new');
    await turns(3);
    assert.ok(second.counters!.recovered > 0 && second.counters!.evicted >= 1000, JSON.stringify(second.counters));
    assertInvariant(second);
    ingest.up = true;
    await second.flush();
    const evicted = assertEachOnce(second, ingest, errors, [...firstIds, ...ids]);
    assert.ok(firstIds.every((id) => evicted.includes(id)), 'the earlier process left the oldest messages: all evicted');
    assert.equal(second.counters!.pending, 0);
  } finally {
    await second.closeAndFlush({ timeout: 500 });
    await ingest.close();
  }
});

test('storage.whenFull takes only its two values', () => {
  assert.throws(() => new Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9', storage: { directory: freshDir(), whenFull: 'block' as never } }), (error: unknown) => error instanceof ConfigurationError && /storage\.whenFull is invalid, expected "drop_newest" or "drop_oldest", actual/.test(error.message));
});
