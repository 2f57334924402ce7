import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startIngestServer } from '../helpers/ingest-server.js';
import { startPostgres } from '../helpers/postgres.js';
import { checkCopies, everyAckedArrives, readiness, sameRequestToBoth, sentBefore, startQueueBridge, Traffic, until } from '../helpers/fleet-cli.js';

test('the PostgreSQL primary SIGKILLed, its synchronous standby promoted: clients keep sending, no event answered 200 is lost', { timeout: 120_000 }, async (t) => {
  const pg = await startPostgres(t, { standby: true });
  if (pg === undefined) return;
  const ingest = await startIngestServer();
  t.after(() => ingest.close());
  const [a, b] = await Promise.all([startQueueBridge(t, pg.url, ingest.url, 2000), startQueueBridge(t, pg.url, ingest.url, 2000)]);
  const traffic = new Traffic(t, () => [a.url, b.url], 'failover');
  traffic.start();
  await until(() => traffic.acked.size >= 300, '300 events answered 200 before the failover');

  await pg.primary.kill();
  const killedAt = Date.now();
  await until(() => traffic.attempts.some((attempt) => attempt.startedAt > killedAt && attempt.status === 503), 'a 503 while the primary is gone');
  await pg.promote();
  await until(async () => (await readiness(a.url)) === 200 && (await readiness(b.url)) === 200, 'both bridges ready again after the promotion');
  // Copies may come of batches claimed before the failover whose settlement it cut; none of events sent after both are back.
  const recoveredAt = Date.now();
  const before = traffic.acked.size;
  await until(() => traffic.acked.size >= before + 300, '300 more events answered 200 on the promoted standby');
  await traffic.stop();

  await everyAckedArrives(ingest, traffic, 'failover');
  const copies = checkCopies(ingest, 'failover', sentBefore(traffic, recoveredAt));
  assert.deepEqual(traffic.attempts.filter((attempt) => ![200, 503].includes(attempt.status)).map((attempt) => attempt.status), [], 'the bridges answer 200 or 503, never fail otherwise');
  t.diagnostic(`${traffic.acked.size} events answered 200, all arrived; ${traffic.count(503)} requests answered 503 during the failover; ${copies} delivered twice`);
  await sameRequestToBoth(ingest, a, b, 'twice-failover');
});
