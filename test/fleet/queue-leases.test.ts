import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { startIngestServer } from '../helpers/ingest-server.js';
import { startPostgres } from '../helpers/postgres.js';
import { eventually, sql, startFleetBridge, tracks } from '../helpers/fleet.js';

test('leases: work a bridge holds goes to another when it stops or its lease runs out', { timeout: 120_000 }, async (t) => {
  const pg = await startPostgres(t);
  if (pg === undefined) return;
  const healthy = await startIngestServer();
  // The endpoint of the first bridge is down: it claims, retries, and delivers nothing.
  const down = await startIngestServer(() => ({ status: 503 }));
  t.after(() => Promise.all([healthy.close(), down.close()]));

  await t.test('a bridge that closes without delivering gives its rows back at once; another delivers them', async (st) => {
    const stuck = await startFleetBridge(pg.url, down.url, 'key-close', { queueOptions: { leaseMillis: 60_000 } });
    assert.equal((await stuck.send(tracks('handed', 10))).status, 200);
    await eventually(() => down.requests.length > 0, 'a first attempt by the stuck bridge');
    const leased = await sql<{ count: string }>(pg.url, "SELECT count(*)::text AS count FROM metarouter_events WHERE message_id LIKE 'handed-%' AND lease_until > now()");
    assert.equal(leased[0]!.count, '10');
    await stuck.bridge.close(200);
    assert.deepEqual(stuck.errors.map((error) => error.code), ['MR_ERR_KEPT_IN_STORAGE']);
    // The lease was a minute: only the release at close lets the other bridge deliver this soon.
    const other = await startFleetBridge(pg.url, healthy.url, 'key-close');
    st.after(() => other.bridge.close(2000));
    await eventually(() => healthy.accepted.filter((message) => String(message.messageId).startsWith('handed-')).length === 10, 'ten deliveries by the other bridge', 5000);
  });

  await t.test('rows whose lease ran out (a bridge that died) are claimed by a live bridge', async (st) => {
    const live = await startFleetBridge(pg.url, healthy.url, 'key-expire');
    st.after(() => live.bridge.close(2000));
    // Rows committed and claimed by a bridge that then died: leased to an owner that never renews.
    const dead = randomUUID();
    await sql(pg.url, "INSERT INTO metarouter_events (write_key, message_id, body, bytes, lease_until, lease_owner) SELECT 'key-expire', 'orphan-' || i, json_build_object('type', 'track', 'event', 'Orphaned', 'userId', 'u', 'messageId', 'orphan-' || i, 'writeKey', 'key-expire')::text, 90, now() + interval '2 seconds', $1 FROM generate_series(0, 4) AS i", [dead]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(healthy.accepted.filter((message) => String(message.messageId).startsWith('orphan-')).length, 0, 'a live lease is respected');
    await eventually(() => healthy.accepted.filter((message) => String(message.messageId).startsWith('orphan-')).length === 5, 'five deliveries after the lease ran out', 10_000);
  });

  await t.test('a bridge retrying a batch renews its lease, so no other bridge takes it meanwhile', async (st) => {
    const retrying = await startFleetBridge(pg.url, down.url, 'key-renew', { queueOptions: { leaseMillis: 1500 } });
    const watcher = await startFleetBridge(pg.url, healthy.url, 'key-renew');
    st.after(() => Promise.all([retrying.bridge.close(200), watcher.bridge.close(2000)]));
    // Sent to the bridge whose endpoint is down; it commits, and the next claim is most likely its own.
    assert.equal((await retrying.send(tracks('renewed', 3))).status, 200);
    await eventually(() => down.requests.some((request) => request.messageIds.includes('renewed-0')) || healthy.accepted.some((message) => message.messageId === 'renewed-0'), 'a first claim');
    if (healthy.accepted.some((message) => message.messageId === 'renewed-0')) return st.skip('the healthy bridge claimed first: nothing to renew');
    // Three lease lengths later the retrying bridge still holds them.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    assert.equal(healthy.accepted.filter((message) => String(message.messageId).startsWith('renewed-')).length, 0);
  });
});
