import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startIngestServer } from '../helpers/ingest-server.js';
import { startPostgres } from '../helpers/postgres.js';
import { checkCopies, everyAckedArrives, readiness, sameRequestToBoth, sentBefore, startQueueBridge, Traffic, until } from '../helpers/fleet-cli.js';

/**
 * Claims whose answer the outage cut (committed in the database, never heard by the bridge) wait
 * this long for another claim: short enough for the test, longer than the outage.
 */
const LEASE_MILLIS = 5000;
const OUTAGE_MILLIS = 2000;

test('PostgreSQL unreachable: the bridges answer 503 and fail /readyz, never 200, then recover by themselves', { timeout: 120_000 }, async (t) => {
  const pg = await startPostgres(t);
  if (pg === undefined) return;
  const ingest = await startIngestServer();
  t.after(() => ingest.close());
  const [a, b] = await Promise.all([startQueueBridge(t, pg.url, ingest.url, LEASE_MILLIS), startQueueBridge(t, pg.url, ingest.url, LEASE_MILLIS)]);
  assert.deepEqual([await readiness(a.url), await readiness(b.url)], [200, 200]);
  const traffic = new Traffic(t, () => [a.url, b.url], 'outage');
  traffic.start();
  await until(() => traffic.acked.size >= 200, '200 events answered 200 before the outage');

  pg.cut();
  const cutAt = Date.now();
  await until(async () => (await readiness(a.url)) === 503 && (await readiness(b.url)) === 503, 'both /readyz answering 503');
  await until(() => traffic.attempts.some((attempt) => attempt.startedAt > cutAt && attempt.status === 503), 'a request answered 503');
  await new Promise((done) => setTimeout(done, Math.max(0, cutAt + OUTAGE_MILLIS - Date.now())));
  const restoredAt = Date.now();
  pg.restore();
  await until(async () => (await readiness(a.url)) === 200 && (await readiness(b.url)) === 200, 'both /readyz answering 200 again');
  const recoveredAt = Date.now();
  const before = traffic.acked.size;
  await until(() => traffic.acked.size >= before + 200, '200 more events answered 200 after the outage');
  await traffic.stop();

  const during = traffic.attempts.filter((attempt) => attempt.startedAt > cutAt && attempt.startedAt < restoredAt);
  assert.deepEqual(during.filter((attempt) => attempt.status !== 503).map((attempt) => attempt.status), [], 'every request made during the outage is answered 503');
  await everyAckedArrives(ingest, traffic, 'outage');
  const copies = checkCopies(ingest, 'outage', sentBefore(traffic, recoveredAt));
  t.diagnostic(`${traffic.acked.size} events answered 200, all arrived; ${copies} delivered twice; ${during.length} requests answered 503 during the ${OUTAGE_MILLIS} ms outage; ready again ${recoveredAt - restoredAt} ms after it ended`);
  await sameRequestToBoth(ingest, a, b, 'twice-outage');
});
