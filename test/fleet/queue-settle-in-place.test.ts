import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startIngestServer } from '../helpers/ingest-server.js';
import { startPostgres } from '../helpers/postgres.js';
import { eventually, sql, startFleetBridge, tracks } from '../helpers/fleet.js';

interface Placed extends Record<string, unknown> {
  message_id: string;
  page: number;
  done: boolean;
}

test('a settlement rewrites each row on its own page: its WAL is the bytes that changed, not the row again', { timeout: 60_000 }, async (t) => {
  const pg = await startPostgres(t);
  if (pg === undefined) return;
  // The endpoint holds the batch until the rows' pages are read, so they are read before the settlement.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const ingest = await startIngestServer(async () => {
    await held;
    return { status: 200 };
  });
  t.after(() => ingest.close());
  const fleet = await startFleetBridge(pg.url, ingest.url, 'key-in-place');
  t.after(() => fleet.bridge.close(2000));
  const placed = () => sql<Placed>(pg.url, "SELECT message_id, (ctid::text::point)[0]::int AS page, done FROM metarouter_events WHERE message_id LIKE 'in-place-%' ORDER BY message_id");

  assert.equal((await fleet.send(tracks('in-place', 200))).status, 200);
  await eventually(() => ingest.requests.length > 0, 'the first batch at the endpoint');
  const before = await placed();
  assert.equal(before.length, 200);
  assert.ok(before.every((row) => !row.done));
  release();
  await eventually(async () => (await placed()).every((row) => row.done), 'every row settled');
  const after = await placed();
  assert.deepEqual(after.map((row) => [row.message_id, row.page]), before.map((row) => [row.message_id, row.page]));
  // Closed here, before the database the harness stops first among the after hooks.
  await fleet.bridge.close(2000);
});
