import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startIngestServer } from '../helpers/ingest-server.js';
import { startPostgres } from '../helpers/postgres.js';
import { eventually, startFleetBridge, tracks } from '../helpers/fleet.js';

test('PostgreSQL unreachable: 503 with Retry-After and /readyz failing, never 200; recovery on its own', { timeout: 120_000 }, async (t) => {
  const pg = await startPostgres(t);
  if (pg === undefined) return;
  const ingest = await startIngestServer();
  t.after(() => ingest.close());
  const fleet = await startFleetBridge(pg.url, ingest.url, 'key-outage');
  t.after(() => fleet.bridge.close(2000));
  const readyz = async () => (await fetch(`${fleet.bridge.url}/readyz`)).status;
  assert.equal(await readyz(), 200);

  pg.cut();
  const during = await fleet.send(tracks('cut', 4));
  assert.equal(during.status, 503);
  assert.equal(during.headers.get('retry-after'), '1');
  assert.equal(await readyz(), 503);
  assert.equal((await fetch(`${fleet.bridge.url}/healthz`)).status, 200, 'alive, only not ready');
  // Still refused while the database is away, without reaching it.
  assert.equal((await fleet.send(tracks('cut', 4))).status, 503);
  assert.equal(fleet.errors.filter((error) => error.code === 'MR_ERR_QUEUE_UNAVAILABLE').length, 1, 'one report per outage');
  assert.equal(fleet.errors[0]!.message.includes('key-outage'), false);

  pg.restore();
  await eventually(async () => (await readyz()) === 200, 'ready again', 15_000);
  const after = await fleet.send(tracks('cut', 4));
  assert.equal(after.status, 200);
  await eventually(() => ingest.accepted.length === 4, 'four deliveries after the restore');
  assert.deepEqual(ingest.accepted.map((message) => message.messageId).sort(), ['cut-0', 'cut-1', 'cut-2', 'cut-3']);
  await fleet.bridge.close(2000);
});

test('PostgreSQL restarting: requests in the gap get 503, the pool reconnects, delivery resumes', { timeout: 180_000 }, async (t) => {
  const pg = await startPostgres(t);
  if (pg === undefined) return;
  const ingest = await startIngestServer();
  t.after(() => ingest.close());
  const fleet = await startFleetBridge(pg.url, ingest.url, 'key-restart');
  t.after(() => fleet.bridge.close(2000));
  assert.equal((await fleet.send(tracks('before', 2))).status, 200);
  await eventually(() => ingest.accepted.length === 2, 'two deliveries before the restart');

  await pg.primary.stop('fast');
  const statuses = new Set<number>();
  statuses.add((await fleet.send(tracks('gap', 2))).status);
  await pg.primary.start();
  let status = 0;
  await eventually(async () => {
    status = (await fleet.send(tracks('after', 2))).status;
    statuses.add(status);
    return status === 200;
  }, 'a request taken after the restart', 30_000);
  assert.deepEqual([...statuses].filter((each) => each !== 200 && each !== 503), [], 'only 200 or 503, never 500');
  await eventually(() => ingest.accepted.some((message) => message.messageId === 'after-1'), 'delivery after the restart', 15_000);
  await fleet.bridge.close(2000);
});
