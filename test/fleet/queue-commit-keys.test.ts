import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from 'pg';
import { startIngestServer } from '../helpers/ingest-server.js';
import { startPostgres } from '../helpers/postgres.js';
import { eventually, sql, startFleetBridge, tracks } from '../helpers/fleet.js';

test('a request\'s keys: no speculative insertion in the WAL, and a key another request commits meanwhile is still taken once', { timeout: 60_000 }, async (t) => {
  const pg = await startPostgres(t);
  if (pg === undefined) return;
  const walinspect = await sql(pg.url, 'CREATE EXTENSION IF NOT EXISTS pg_walinspect').then(() => true, () => false);
  if (!walinspect) {
    const how = 'install PostgreSQL\'s contrib modules (pg_walinspect)';
    if (process.env.CI === 'true') assert.fail(`pg_walinspect is missing: ${how}`);
    t.skip(`pg_walinspect is missing: ${how}`);
    return;
  }
  const ingest = await startIngestServer();
  t.after(() => ingest.close());
  const fleet = await startFleetBridge(pg.url, ingest.url, 'key-commit');
  t.after(() => fleet.bridge.close(2000));

  await t.test('a commit writes each key once: no confirmation record per key', async () => {
    const [{ start }] = await sql<{ start: string }>(pg.url, 'SELECT pg_current_wal_insert_lsn()::text AS start');
    assert.equal((await fleet.send(tracks('wal', 50))).status, 200);
    // A commit that waits for the flush: the range read below is on disk.
    await sql(pg.url, 'CREATE TABLE IF NOT EXISTS flushed (x int); INSERT INTO flushed VALUES (1)');
    const records = await sql<{ kind: string; count: number }>(pg.url, 'SELECT "resource_manager/record_type" AS kind, count::int AS count FROM pg_get_wal_stats($1, pg_current_wal_flush_lsn(), true) WHERE count > 0', [start]);
    const count = (kind: string) => records.find((record) => record.kind === kind)?.count ?? 0;
    assert.ok(count('Heap/INSERT') + count('Heap/INSERT+INIT') >= 100, 'fifty rows and fifty keys');
    assert.equal(count('Heap/HEAP_CONFIRM'), 0);
  });

  await t.test('a key committed by another request after the commit began: 200, that message left out, the others stored', async () => {
    // Another request holds race-2 uncommitted: the bridge's commit waits on it, then finds it taken.
    const other = new Client({ connectionString: pg.url });
    await other.connect();
    await other.query('BEGIN');
    await other.query("INSERT INTO metarouter_keys (write_key, message_id) VALUES ('key-commit', 'race-2')");
    const duplicatesBefore = fleet.bridge.counters.duplicates;
    const answer = fleet.send(tracks('race', 5));
    await eventually(async () => (await sql(pg.url, "SELECT 1 FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'")).length > 0, 'the commit waiting on the other request');
    await other.query('COMMIT');
    await other.end();
    assert.equal((await answer).status, 200);
    const stored = await sql<{ message_id: string }>(pg.url, "SELECT message_id FROM metarouter_events WHERE message_id LIKE 'race-%' ORDER BY message_id");
    assert.deepEqual(stored.map((row) => row.message_id), ['race-0', 'race-1', 'race-3', 'race-4']);
    assert.equal(fleet.bridge.counters.duplicates - duplicatesBefore, 1);
    await eventually(() => ingest.accepted.filter((message) => String(message.messageId).startsWith('race-')).length === 4, 'four deliveries');
    assert.deepEqual(fleet.errors.map((error) => error.code), []);
  });
  // Closed here, before the database the harness stops first among the after hooks.
  await fleet.bridge.close(2000);
});
