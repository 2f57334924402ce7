import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from 'pg';
import { sql as query } from '../helpers/fleet.js';
import { startPostgres } from '../helpers/postgres.js';

test('a single server: queries through the forwarder, cut refuses, restore recovers, a SIGKILLed server restarts with its data', { timeout: 120_000 }, async (t) => {
  const pg = await startPostgres(t);
  if (pg === undefined) return;
  assert.equal(pg.standby, undefined);

  await t.test('a query through the forwarder reaches the server, with fsync on', async () => {
    assert.deepEqual(await query(pg.url, 'SELECT 1 AS one'), [{ one: 1 }]);
    assert.deepEqual(await query(pg.url, 'SHOW fsync'), [{ fsync: 'on' }]);
  });

  await t.test('cut() ends open connections and refuses new ones until restore()', async () => {
    const open = new Client({ connectionString: pg.url });
    await open.connect();
    open.on('error', () => undefined);
    pg.cut();
    await assert.rejects(open.query('SELECT 1'));
    await assert.rejects(query(pg.url, 'SELECT 1'));
    pg.restore();
    assert.deepEqual(await query(pg.url, 'SELECT 2 AS two'), [{ two: 2 }]);
  });

  await t.test('kill() then start(): committed rows survive the crash', async () => {
    await query(pg.url, 'CREATE TABLE kept (id int PRIMARY KEY)');
    await query(pg.url, 'INSERT INTO kept VALUES (1), (2)');
    await pg.primary.kill();
    await assert.rejects(query(pg.url, 'SELECT 1'));
    await pg.primary.start();
    assert.deepEqual(await query(pg.url, 'SELECT id FROM kept ORDER BY id'), [{ id: 1 }, { id: 2 }]);
    await pg.primary.stop('fast');
    await assert.rejects(query(pg.url, 'SELECT 1'));
    await pg.primary.start();
    assert.deepEqual(await query(pg.url, 'SELECT count(*)::int AS n FROM kept'), [{ n: 2 }]);
  });
});

test('a primary with a synchronous standby: a committed row is on the standby, and after the primary dies the promoted standby serves it at the same URL', { timeout: 120_000 }, async (t) => {
  const pg = await startPostgres(t, { standby: true });
  if (pg === undefined) return;
  const standby = pg.standby!;

  await query(pg.url, 'CREATE TABLE acked (id int PRIMARY KEY)');
  await query(pg.url, 'INSERT INTO acked SELECT generate_series(1, 100)');
  // remote_apply: the commit returned only once the standby had applied it.
  assert.deepEqual(await query(standby.url, 'SELECT count(*)::int AS n FROM acked'), [{ n: 100 }]);
  assert.deepEqual(await query(standby.url, 'SELECT pg_is_in_recovery() AS recovering'), [{ recovering: true }]);

  const open = new Client({ connectionString: pg.url });
  await open.connect();
  open.on('error', () => undefined);
  await pg.primary.kill();
  await pg.promote();
  await assert.rejects(open.query('SELECT 1'), 'a connection opened before the promotion is cut');
  assert.deepEqual(await query(pg.url, 'SELECT pg_is_in_recovery() AS recovering'), [{ recovering: false }]);
  assert.deepEqual(await query(pg.url, 'SELECT count(*)::int AS n FROM acked'), [{ n: 100 }]);
  await query(pg.url, 'INSERT INTO acked VALUES (101)');
  assert.deepEqual(await query(pg.url, 'SELECT count(*)::int AS n FROM acked'), [{ n: 101 }], 'the promoted standby commits without waiting for a standby of its own');
});
