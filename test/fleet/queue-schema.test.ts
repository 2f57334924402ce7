import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportDeadLetters, MetaRouterError, replay } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';
import { startPostgres } from '../helpers/postgres.js';
import { eventually, sql, startFleetBridge, tracks } from '../helpers/fleet.js';

test('the queue tables: migrated once by bridges starting together, partitions dropped when done, dead letters replayable', { timeout: 180_000 }, async (t) => {
  const pg = await startPostgres(t);
  if (pg === undefined) return;
  const ingest = await startIngestServer((request) => (request.messageIds.some((id) => id.startsWith('refused-')) ? { status: 400, body: '{"error":"bad"}' } : { status: 200 }));
  t.after(() => ingest.close());

  await t.test('three bridges starting at once on an empty database make the tables once', async (st) => {
    const bridges = await Promise.all([1, 2, 3].map(() => startFleetBridge(pg.url, ingest.url, 'key-schema', { queueOptions: { partitionMillis: 1000 } })));
    st.after(() => Promise.all(bridges.map((each) => each.bridge.close(2000))));
    assert.deepEqual(await sql(pg.url, 'SELECT version, partition_millis::int AS width FROM metarouter_queue_schema'), [{ version: 1, width: 1000 }]);
    // A later bridge with another width takes the recorded one: partitions never overlap.
    const later = await startFleetBridge(pg.url, ingest.url, 'key-schema', { queueOptions: { partitionMillis: 60_000 } });
    await later.bridge.close(2000);
    assert.deepEqual(bridges.flatMap((each) => each.errors).map((error) => error.code), []);
  });

  await t.test('a partition whose rows are all delivered is dropped whole; rows are never deleted one by one', async (st) => {
    const fleet = await startFleetBridge(pg.url, ingest.url, 'key-partitions');
    st.after(() => fleet.bridge.close(2000));
    const partitionOf = async (prefix: string) => (await sql<{ name: string }>(pg.url, "SELECT DISTINCT tableoid::regclass::text AS name FROM metarouter_events WHERE message_id LIKE $1", [`${prefix}-%`])).map((row) => row.name);
    assert.equal((await fleet.send(tracks('dropped', 50))).status, 200);
    const [partition] = await partitionOf('dropped');
    assert.match(partition!, /^metarouter_events_p\d+$/);
    await eventually(() => ingest.accepted.filter((message) => String(message.messageId).startsWith('dropped-')).length === 50, 'fifty deliveries');
    // Two widths (2 s) later the upkeep may drop it.
    await eventually(async () => (await sql(pg.url, 'SELECT 1 FROM pg_class WHERE relname = $1', [partition])).length === 0, `${partition} dropped`, 15_000);
    const partitions = await sql<{ name: string }>(pg.url, "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'metarouter_events'::regclass");
    assert.ok(partitions.length >= 2, 'the current partition and those ahead remain');
    assert.deepEqual(await sql(pg.url, "SELECT n_tup_del::int AS deleted FROM pg_stat_user_tables WHERE relname LIKE 'metarouter_events_p%' AND n_tup_del > 0"), []);
  });

  await t.test('a partition holding an undelivered row is kept', async (st) => {
    const stalled = await startIngestServer(() => ({ status: 503 }));
    const fleet = await startFleetBridge(pg.url, stalled.url, 'key-kept');
    st.after(() => Promise.all([fleet.bridge.close(100), stalled.close()]));
    assert.equal((await fleet.send(tracks('kept', 1))).status, 200);
    const [row] = await sql<{ name: string }>(pg.url, "SELECT tableoid::regclass::text AS name FROM metarouter_events WHERE message_id = 'kept-0'");
    await new Promise((resolve) => setTimeout(resolve, 4000));
    assert.equal((await sql(pg.url, 'SELECT 1 FROM pg_class WHERE relname = $1', [row!.name])).length, 1);
  });

  await t.test('what the endpoint refuses goes to metarouter_dead_letters, is exported as NDJSON and sent again by replay', async (st) => {
    const fleet = await startFleetBridge(pg.url, ingest.url, 'key-dead');
    st.after(() => fleet.bridge.close(2000));
    assert.equal((await fleet.send(tracks('refused', 3))).status, 200);
    await eventually(() => fleet.errors.some((error) => error.code === 'MR_ERR_REJECTED'), 'the rejection');
    await eventually(async () => (await sql(pg.url, "SELECT 1 FROM metarouter_dead_letters WHERE write_key = 'key-dead'")).length === 3, 'three dead letters');
    const [letter] = await sql<{ code: string; done: boolean }>(pg.url, "SELECT d.code, e.done FROM metarouter_dead_letters d JOIN metarouter_events e USING (seq) WHERE d.message_id = 'refused-0'");
    assert.deepEqual(letter, { code: 'MR_ERR_REJECTED', done: true });

    const dir = mkdtempSync(join(tmpdir(), 'fleet-dead-'));
    st.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'dead.ndjson');
    assert.deepEqual(await exportDeadLetters({ queue: pg.url, file, writeKey: 'key-dead', remove: true }), { written: 3, removed: 3 });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { messageId: string });
    assert.deepEqual(lines.map((line) => line.messageId), ['refused-0', 'refused-1', 'refused-2']);
    assert.deepEqual(await sql(pg.url, "SELECT 1 FROM metarouter_dead_letters WHERE write_key = 'key-dead'"), []);

    // The endpoint takes them now (another path): replay sends them with their messageIds.
    const fixed = await startIngestServer();
    st.after(() => fixed.close());
    const summary = await replay({ file, host: fixed.url, writeKey: 'key-dead', progressFile: false });
    assert.equal(summary.delivered, 3);
    assert.deepEqual(fixed.accepted.map((message) => message.messageId), ['refused-0', 'refused-1', 'refused-2']);
  });

  await t.test('tables at a newer schema version: the bridge does not start (MR_ERR_QUEUE_SCHEMA)', async (st) => {
    await sql(pg.url, 'UPDATE metarouter_queue_schema SET version = 99');
    st.after(() => sql(pg.url, 'UPDATE metarouter_queue_schema SET version = 1'));
    await assert.rejects(startFleetBridge(pg.url, ingest.url, 'key-schema'), (error: unknown) => error instanceof MetaRouterError && error.code === 'MR_ERR_QUEUE_SCHEMA');
  });

  await t.test('an unreachable database at start: startBridge rejects with MR_ERR_QUEUE_UNAVAILABLE, without the password', async () => {
    const url = new URL(pg.url);
    url.password = 'hunter2-secret';
    url.port = '1';
    await assert.rejects(startFleetBridge(url.href, ingest.url, 'key-schema'), (error: unknown) => error instanceof MetaRouterError && error.code === 'MR_ERR_QUEUE_UNAVAILABLE' && !error.message.includes('hunter2'));
  });
});
