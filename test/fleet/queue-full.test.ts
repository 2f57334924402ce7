import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startIngestServer } from '../helpers/ingest-server.js';
import { startPostgres } from '../helpers/postgres.js';
import { eventually, sql, startFleetBridge, tracks } from '../helpers/fleet.js';

const MAX_BYTES = 1024 * 1024;

test('a full queue (queue.maxBytes): drop_newest answers 503, drop_oldest moves the oldest to the dead letters', { timeout: 120_000 }, async (t) => {
  const pg = await startPostgres(t);
  if (pg === undefined) return;
  // Nothing is delivered: the queue only fills.
  const down = await startIngestServer(() => ({ status: 503 }));
  t.after(() => down.close());
  const waitingBytes = async (writeKey: string) => Number((await sql<{ bytes: string }>(pg.url, 'SELECT coalesce(sum(bytes), 0)::text AS bytes FROM metarouter_events WHERE write_key = $1 AND NOT done', [writeKey]))[0]!.bytes);
  const storedBytes = async (writeKey: string) => Number((await sql<{ bytes: string }>(pg.url, 'SELECT coalesce(sum(bytes), 0)::text AS bytes FROM metarouter_events WHERE write_key = $1', [writeKey]))[0]!.bytes);

  await t.test('drop_newest: once the size read says full, requests are answered 503 with Retry-After', async () => {
    const fleet = await startFleetBridge(pg.url, down.url, 'key-newest', { flushAt: 10, maxConcurrentRequests: 1, queueOptions: { maxBytes: MAX_BYTES } });
    let answer = { status: 200, headers: new Headers() };
    for (let index = 0; answer.status === 200 && index < 200; index++) answer = await fleet.send(tracks(`key-newest-${index}`, 100));
    assert.equal(answer.status, 503);
    assert.equal(answer.headers.get('retry-after'), '1');
    // Refused near the bound, not before: what it took fills most of maxBytes, and nothing was dropped.
    assert.ok((await waitingBytes('key-newest')) > MAX_BYTES * 0.8, `${await waitingBytes('key-newest')} bytes waiting`);
    assert.deepEqual(await sql(pg.url, "SELECT 1 FROM metarouter_dead_letters WHERE write_key = 'key-newest'"), []);
    assert.ok(fleet.bridge.counters.throttled >= 1);
    await fleet.bridge.close(100);
  });

  await t.test('drop_oldest: requests keep being taken; the oldest waiting rows become dead letters, reported MR_ERR_EVICTED', async () => {
    const fleet = await startFleetBridge(pg.url, down.url, 'key-oldest', { flushAt: 10, maxConcurrentRequests: 1, queueOptions: { maxBytes: MAX_BYTES, whenFull: 'drop_oldest' } });
    // Half as much again as the queue holds, every request taken.
    for (let index = 0; (await storedBytes('key-oldest')) <= MAX_BYTES * 1.5; index++) assert.equal((await fleet.send(tracks(`key-oldest-${index}`, 100))).status, 200);
    await eventually(() => fleet.errors.some((error) => error.code === 'MR_ERR_EVICTED'), 'an eviction report', 5000);
    const evicted = fleet.errors.filter((error) => error.code === 'MR_ERR_EVICTED').flatMap((error) => [...error.messageIds]);
    const letters = await sql<{ message_id: string; code: string }>(pg.url, "SELECT message_id, code FROM metarouter_dead_letters WHERE write_key = 'key-oldest' ORDER BY seq");
    assert.deepEqual(letters.map((letter) => letter.message_id).sort(), [...evicted].sort());
    assert.ok(letters.every((letter) => letter.code === 'MR_ERR_EVICTED'));
    // The oldest go: the first request's rows that the bridge did not hold.
    assert.ok(letters.some((letter) => letter.message_id.startsWith('key-oldest-0-')), letters.slice(0, 3).map((letter) => letter.message_id).join(', '));
    await eventually(async () => (await waitingBytes('key-oldest')) <= MAX_BYTES, 'the queue back under maxBytes', 5000);
    await fleet.bridge.close(100);
  });
});
