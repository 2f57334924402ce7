#!/usr/bin/env node
// A burst of calls (1,000,000 by default) against a healthy loopback endpoint: memory stays
// bounded, and the counts are exact — accepted + refused = calls, delivered = accepted, every drop
// reported with its id. Each mode runs in a fresh child process so that its memory is its own.
// Uses the built package (npm run build first).
//
//   node bench/reliability/burst.mjs [--calls 1000000] [--modes sync,yielding] [--max-queue-size 10000]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Ledger, check, mb, startIngestProcess, table } from './lib/measure.mjs';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000000' },
    modes: { type: 'string', default: 'sync,yielding' },
    'max-queue-size': { type: 'string', default: '10000' },
    'flush-at': { type: 'string', default: '100' },
    child: { type: 'string' },
  },
});
const calls = Number(values.calls);
const maxQueueSize = Number(values['max-queue-size']);
const flushAt = Number(values['flush-at']);

/** One burst, in this (child) process; sends its figures to the parent. */
async function burst(mode) {
  const { Analytics } = await import('../../dist/index.js');
  const server = await startIngestProcess();
  const analytics = new Analytics({ writeKey: 'burst-bench-key', host: server.url, maxQueueSize, flushAt });
  const ledger = new Ledger();
  analytics.on('error', (error) => ledger.reported(error));
  global.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const started = process.hrtime.bigint();
  for (let n = 0; n < calls; n++) {
    analytics.track({ userId: `user-${n % 1000}`, event: 'Burst', messageId: `b-${n}`, properties: { n, plan: 'pro' } });
    ledger.called(n);
    if (n % 10_000 === 9_999) {
      const { rss, heapUsed } = process.memoryUsage();
      peakRss = Math.max(peakRss, rss);
      peakHeap = Math.max(peakHeap, heapUsed);
      // yielding: let the event loop run (requests go out, drop reports are delivered) between slices.
      if (mode === 'yielding') await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const loopNanos = Number(process.hrtime.bigint() - started);
  const { rss, heapUsed } = process.memoryUsage();
  peakRss = Math.max(peakRss, rss);
  peakHeap = Math.max(peakHeap, heapUsed);
  await analytics.closeAndFlush({ timeout: 120_000 });
  const settledNanos = Number(process.hrtime.bigint() - started);
  const report = await server.report();
  await server.stop();
  const counts = new Uint8Array(report.counts.buffer, report.counts.byteOffset, report.counts.length);
  const reconciled = ledger.reconcile(counts);
  process.send({
    mode,
    calls: ledger.calls,
    counters: analytics.counters,
    byCode: ledger.byCode,
    reportedTwice: ledger.reportedTwice,
    reportedTotal: ledger.reportedTotal,
    reconciled,
    rssBefore: before.rss,
    peakRss,
    peakHeap,
    heapBefore: before.heapUsed,
    loopMillis: loopNanos / 1e6,
    settledMillis: settledNanos / 1e6,
  });
}

if (values.child !== undefined) {
  await burst(values.child);
} else {
  const results = [];
  process.stdout.write(`burst: ${calls.toLocaleString('en')} track calls per mode, maxQueueSize ${maxQueueSize}, flushAt ${flushAt}, server up\n\n`);
  for (const mode of values.modes.split(',')) {
    const child = fork(fileURLToPath(import.meta.url), [...process.argv.slice(2), '--child', mode], { serialization: 'advanced', execArgv: ['--expose-gc'] });
    const [result] = await once(child, 'message');
    await once(child, 'exit');
    results.push(result);
  }
  process.stdout.write(
    table(
      ['mode', 'calls', 'accepted', 'refused (queue full)', 'refused (other)', 'delivered', 'ingested (distinct)', 'duplicates', 'loop s', 'calls/s', 'all settled s', 'RSS before MB', 'peak RSS MB', 'peak heap MB'],
      results.map((r) => [
        r.mode,
        r.calls,
        r.counters.accepted,
        r.byCode.MR_ERR_QUEUE_FULL ?? 0,
        r.counters.refused - (r.byCode.MR_ERR_QUEUE_FULL ?? 0),
        r.counters.delivered,
        r.reconciled.ingested,
        r.reconciled.duplicates,
        Number((r.loopMillis / 1000).toFixed(2)),
        Math.round(r.calls / (r.loopMillis / 1000)),
        Number((r.settledMillis / 1000).toFixed(2)),
        Number(mb(r.rssBefore)),
        Number(mb(r.peakRss)),
        Number(mb(r.peakHeap)),
      ]),
    ),
  );
  const checks = results.flatMap((r) => [
    check(`${r.mode}: accepted + refused = calls`, r.counters.accepted + r.counters.refused === r.calls, `${r.counters.accepted} + ${r.byCode.MR_ERR_QUEUE_FULL ?? 0} = ${r.calls}`),
    check(`${r.mode}: delivered = accepted`, r.counters.delivered === r.counters.accepted && r.reconciled.ingested === r.counters.accepted, `counters ${r.counters.delivered}, server ${r.reconciled.ingested}, accepted ${r.counters.accepted}`),
    check(`${r.mode}: every drop reported once`, r.reportedTotal === r.counters.dropped + r.counters.refused && r.reportedTwice === 0, `${r.reportedTotal} reported, ${r.counters.dropped + r.counters.refused} counted`),
    check(`${r.mode}: nothing lost silently`, r.reconciled.silentlyLost === 0 && r.reconciled.reportedYetIngested === 0, `${r.reconciled.silentlyLost} silent, ${r.reconciled.reportedYetIngested} reported yet ingested`),
  ]);
  process.stdout.write('\nchecks\n');
  process.stdout.write(table(['check', 'ok', 'detail'], checks));
  process.exitCode = checks.every((row) => row[1] === 'yes') ? 0 : 1;
}
