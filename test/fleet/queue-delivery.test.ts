import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startIngestServer } from '../helpers/ingest-server.js';
import { startPostgres } from '../helpers/postgres.js';
import { eventually, sql, startFleetBridge, tracks } from '../helpers/fleet.js';

test('bridges on one PostgreSQL queue: committed before 200, delivered once per messageId', { timeout: 120_000 }, async (t) => {
  const pg = await startPostgres(t);
  if (pg === undefined) return;
  const ingest = await startIngestServer();
  t.after(() => ingest.close());
  const one = await startFleetBridge(pg.url, ingest.url, 'key-delivery');
  const two = await startFleetBridge(pg.url, ingest.url, 'key-delivery');
  t.after(() => Promise.all([one.bridge.close(2000), two.bridge.close(2000)]));
  const delivered = (prefix: string) => ingest.accepted.filter((message) => String(message.messageId).startsWith(`${prefix}-`));

  await t.test('a request answered 200 is already in the queue, and is delivered with its messageIds', async () => {
    const answer = await one.send(tracks('first', 5));
    assert.equal(answer.status, 200);
    // The rows exist the moment the client hears 200 (they may be delivered already, but never absent).
    const rows = await sql<{ count: string }>(pg.url, "SELECT count(*)::text AS count FROM metarouter_events WHERE message_id LIKE 'first-%'");
    assert.equal(rows[0]!.count, '5');
    await eventually(() => delivered('first').length === 5, 'five deliveries');
    assert.deepEqual(delivered('first').map((message) => message.messageId).sort(), ['first-0', 'first-1', 'first-2', 'first-3', 'first-4']);
    assert.equal(delivered('first')[0]!.event, 'Signed Up');
    assert.equal(delivered('first')[0]!.writeKey, 'key-delivery');
  });

  await t.test('the same request sent to both bridges at once is stored and delivered once', async () => {
    const body = tracks('twice', 20);
    const answers = await Promise.all([one.send(body), two.send(body)]);
    assert.deepEqual(answers.map((answer) => answer.status), [200, 200]);
    await eventually(() => delivered('twice').length >= 20, 'twenty deliveries');
    // Time for a second copy to go out, were there one.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(delivered('twice').length, 20);
    assert.equal(one.bridge.counters.duplicates + two.bridge.counters.duplicates, 20);
    assert.equal(one.bridge.counters.queued + two.bridge.counters.queued >= 25, true);
  });

  await t.test('a retry that arrives after the first copy was delivered is answered 200 and not delivered again', async () => {
    const body = tracks('late', 3);
    assert.equal((await two.send(body)).status, 200);
    await eventually(() => delivered('late').length === 3, 'three deliveries');
    const duplicatesBefore = one.bridge.counters.duplicates;
    assert.equal((await one.send(body)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(delivered('late').length, 3);
    assert.equal(one.bridge.counters.duplicates - duplicatesBefore, 3);
  });

  await t.test('every row delivered is marked done, and no bridge reported an error', async () => {
    await eventually(async () => (await sql<{ waiting: string }>(pg.url, 'SELECT count(*)::text AS waiting FROM metarouter_events WHERE NOT done'))[0]!.waiting === '0', 'no row waiting');
    assert.deepEqual([...one.errors, ...two.errors].map((error) => error.code), []);
  });
  // Before the database stops (the harness's own hook runs first): close is idempotent, the hook above is for a failure.
  await Promise.all([one.bridge.close(2000), two.bridge.close(2000)]);
});
