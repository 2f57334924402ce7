import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startIngestServer } from '../helpers/ingest-server.js';
import { startPostgres } from '../helpers/postgres.js';
import { checkCopies, everyAckedArrives, firstDeliveredBefore, markAfterFault, sameRequestToBoth, sigkill, startQueueBridge, Traffic, until } from '../helpers/fleet-cli.js';

/** Short, so that what a killed bridge held goes out within the test; the default is 30 s. */
const LEASE_MILLIS = 2000;

test('bridges on one PostgreSQL queue, SIGKILLed mid-stream: every event answered 200 arrives, copies only of batches in flight at the kill', { timeout: 120_000 }, async (t) => {
  const pg = await startPostgres(t);
  if (pg === undefined) return;
  const ingest = await startIngestServer();
  t.after(() => ingest.close());
  const start = () => startQueueBridge(t, pg.url, ingest.url, LEASE_MILLIS);

  await t.test('one of two SIGKILLed: the other takes the stream and the dead one\'s work', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    let live = [a.url, b.url];
    const traffic = new Traffic(t, () => live, 'one');
    traffic.start();
    await until(() => traffic.acked.size >= 300, '300 events answered 200 before the kill');
    await sigkill(a);
    // The load balancer's view: a's readiness is gone, new requests go to b; a's open requests fail and are sent again.
    live = [b.url];
    const mark = await markAfterFault(ingest);
    const before = traffic.acked.size;
    await until(() => traffic.acked.size >= before + 300, '300 more events answered 200 after the kill');
    await traffic.stop();
    await everyAckedArrives(ingest, traffic, 'one');
    const copies = checkCopies(ingest, 'one', firstDeliveredBefore(mark));
    t.diagnostic(`${traffic.acked.size} events answered 200, all arrived; ${copies} delivered twice (in flight at the kill); ${traffic.count(0)} requests cut by it and sent again`);

    const restarted = await start();
    await sameRequestToBoth(ingest, restarted, b, 'twice-one');
    await Promise.all([sigkill(restarted), sigkill(b)]);
  });

  await t.test('both SIGKILLed, then one restarted: it delivers what both held', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    let live = [a.url, b.url];
    const traffic = new Traffic(t, () => live, 'both');
    traffic.start();
    await until(() => traffic.acked.size >= 300, '300 events answered 200 before the kill');
    await Promise.all([sigkill(a), sigkill(b)]);
    const mark = await markAfterFault(ingest);
    const acknowledgedAtKill = traffic.acked.size;
    const c = await start();
    live = [c.url];
    await until(() => traffic.acked.size >= acknowledgedAtKill + 200, '200 more events answered 200 by the restarted bridge');
    await traffic.stop();
    await everyAckedArrives(ingest, traffic, 'both');
    const copies = checkCopies(ingest, 'both', firstDeliveredBefore(mark));
    t.diagnostic(`${traffic.acked.size} events answered 200, all arrived; ${copies} delivered twice (in flight at the kill)`);
    assert.ok(traffic.count(0) > 0, 'requests were refused while no bridge ran');

    const d = await start();
    await sameRequestToBoth(ingest, c, d, 'twice-both');
  });
});
