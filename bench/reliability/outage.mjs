#!/usr/bin/env node
// Sustained traffic against an ingestion endpoint that is down, then recovers. Shows that memory
// stays flat once the queue is full, that every drop is counted and reported (by code), and that
// everything held at recovery is delivered. Uses the built package (npm run build first).
//
//   node bench/reliability/outage.mjs [--minutes 3] [--down 503|refuse] [--rate 1000] [--recovery-seconds 20]
//   node bench/reliability/outage.mjs --durable [--storage-max-mb 256]   the same with storage: memory
//     stays at maxQueueSize, the rest waits on disk, nothing is dropped below the disk limit
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Analytics } from '../../dist/index.js';
import { Ledger, check, mb, startIngestProcess, table } from './lib/measure.mjs';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    down: { type: 'string', default: '503' },
    rate: { type: 'string', default: '1000' },
    'recovery-seconds': { type: 'string', default: '20' },
    'max-queue-size': { type: 'string', default: '10000' },
    'flush-at': { type: 'string', default: '100' },
    'print-every': { type: 'string', default: '15' },
    durable: { type: 'boolean', default: false },
    'storage-max-mb': { type: 'string', default: '256' },
  },
});
const outageMillis = Number(values.minutes) * 60_000;
const rate = Number(values.rate);
const recoveryMillis = Number(values['recovery-seconds']) * 1000;
const maxQueueSize = Number(values['max-queue-size']);
const flushAt = Number(values['flush-at']);
const printEvery = Number(values['print-every']) * 1000;
if (values.down !== '503' && values.down !== 'refuse') throw new Error('--down is 503 (the server answers 503) or refuse (nothing listens)');

const server = await startIngestProcess();
await server.setMode(values.down);
// Durable, with the default retry settings (10 retries, 120 s): a batch on disk outlasts that budget.
const spoolDirectory = values.durable ? mkdtempSync(path.join(tmpdir(), 'metarouter-outage-spool-')) : undefined;
const durableOptions = values.durable
  ? { storage: { directory: spoolDirectory, maxBytes: Number(values['storage-max-mb']) * 2 ** 20 } }
  : {};
const analytics = new Analytics({ writeKey: 'outage-bench-key', host: server.url, maxQueueSize, flushAt, ...durableOptions });
const ledger = new Ledger();
analytics.on('error', (error) => ledger.reported(error));

const PER_TICK_MILLIS = 10;
const perTick = Math.max(1, Math.round((rate * PER_TICK_MILLIS) / 1000));
let n = 0;
const traffic = setInterval(() => {
  for (let i = 0; i < perTick; i++, n++) {
    analytics.track({ userId: `user-${n % 1000}`, event: 'Outage Traffic', messageId: `o-${n}`, properties: { n, plan: 'pro', path: '/checkout' } });
    ledger.called(n);
  }
}, PER_TICK_MILLIS);

const started = Date.now();
const samples = [];
let queueFullAt;
let peakRss = 0;
function sample(phase) {
  const { rss, heapUsed } = process.memoryUsage();
  const counters = analytics.counters;
  peakRss = Math.max(peakRss, rss);
  // Memory is full when calls are refused, or (durable) when more is pending than memory holds.
  if (queueFullAt === undefined && ((ledger.byCode.MR_ERR_QUEUE_FULL ?? 0) > 0 || counters.pending > maxQueueSize)) queueFullAt = Date.now();
  // Held = in the queue, in flight or waiting to retry; drops at the call were never held.
  samples.push({ t: Date.now() - started, phase, rss, heapUsed, calls: ledger.calls, held: counters.pending, ...counters });
}
const sampler = setInterval(() => sample(recoveredAt === undefined ? 'down' : 'up'), 1000);

let recoveredAt;
let recoveryIndex = 0;
process.stdout.write(`outage${values.durable ? ' (durable)' : ''}: ${values.minutes} min down (${values.down === '503' ? 'every request answered 503' : 'connection refused'}), ${rate} calls/s, maxQueueSize ${maxQueueSize}, flushAt ${flushAt}; then ${recoveryMillis / 1000} s up\n\n`);
await sleep(outageMillis);
sample('down');
const heldAtRecovery = samples.at(-1).held;
recoveryIndex = n;
recoveredAt = Date.now();
await server.setMode('up', { watchBelow: recoveryIndex });
await sleep(recoveryMillis);
clearInterval(traffic);
const trafficStoppedAt = Date.now();
await analytics.closeAndFlush({ timeout: 120_000 });
clearInterval(sampler);
sample('closed');
const closedAt = Date.now();
const report = await server.report();
await server.stop();

const afterFull = samples.filter((s) => queueFullAt !== undefined && s.t >= queueFullAt - started + 10_000 && s.phase === 'down');
const baseline = afterFull[0];
const peakAfterFull = afterFull.reduce((peak, s) => Math.max(peak, s.rss), 0);
const rows = samples
  .filter((s, i) => i === 0 || s.phase !== samples[i - 1].phase || Math.floor(s.t / printEvery) !== Math.floor(samples[i - 1].t / printEvery) || i === samples.length - 1)
  .map((s) => [Math.round(s.t / 1000), s.phase, s.calls, s.accepted, s.delivered, s.dropped, s.held, s.retries, s.requests, Number(mb(s.rss)), Number(mb(s.heapUsed))]);
process.stdout.write(table(['t (s)', 'server', 'calls', 'accepted', 'delivered', 'dropped', 'held', 'retries', 'requests', 'RSS MB', 'heap MB'], rows));

const counts = new Uint8Array(report.counts.buffer, report.counts.byteOffset, report.counts.length);
const final = analytics.counters;
const reconciled = ledger.reconcile(counts, recoveryIndex);
const queueFull = ledger.byCode.MR_ERR_QUEUE_FULL ?? 0;
process.stdout.write('\ndrops by code (from the error channel)\n');
process.stdout.write(table(['code', 'messages'], Object.entries(ledger.byCode).map(([code, count]) => [code, count])));

process.stdout.write('\nfigures\n');
process.stdout.write(
  table(
    ['figure', 'value'],
    [
      ['calls', ledger.calls],
      ['accepted into the queue', final.accepted],
      ['dropped at the call (queue full)', queueFull],
      ['dropped later (all codes, counters)', final.dropped],
      ['delivered (counters)', final.delivered],
      ['ingested by the server (distinct)', reconciled.ingested],
      ['duplicates at the server', reconciled.duplicates],
      ['held at recovery', heldAtRecovery],
      ['held at recovery and delivered after it', reconciled.heldBeforeDelivered],
      ['queue full after (s)', queueFullAt === undefined ? 'never' : Math.round((queueFullAt - started) / 1000)],
      ['RSS 10 s after the queue filled (MB)', baseline === undefined ? 'n/a' : Number(mb(baseline.rss))],
      ['peak RSS during the rest of the outage (MB)', Number(mb(peakAfterFull))],
      ['peak RSS overall (MB)', Number(mb(peakRss))],
      ['last message held at recovery ingested after (s)', report.lastBelowAt === 0 ? 'n/a' : ((report.lastBelowAt - recoveredAt) / 1000).toFixed(1)],
      ['closeAndFlush after traffic stopped took (s)', ((closedAt - trafficStoppedAt) / 1000).toFixed(1)],
      ['server requests (of which 503)', `${report.requests} (${report.answered503})`],
    ],
  ),
);

const checks = [
  check('calls = accepted + dropped at the call', ledger.calls === final.accepted + queueFull, `${ledger.calls} = ${final.accepted} + ${queueFull}`),
  check('every drop reported once, with its id', ledger.reportedTotal === final.dropped + final.refused && ledger.reportedTwice === 0, `${ledger.reportedTotal} reported, counters.dropped + refused ${final.dropped + final.refused}, twice ${ledger.reportedTwice}`),
  check('accepted = delivered + dropped later', final.accepted === final.delivered + final.dropped, `${final.accepted} = ${final.delivered} + ${final.dropped}`),
  check('no message lost silently', reconciled.silentlyLost === 0, `${reconciled.silentlyLost} neither ingested nor reported`),
  check('no message reported lost yet ingested', reconciled.reportedYetIngested === 0, `${reconciled.reportedYetIngested}`),
  check('everything held at recovery delivered', reconciled.heldBefore === reconciled.heldBeforeDelivered, `${reconciled.heldBeforeDelivered} of ${reconciled.heldBefore}`),
  check('RSS flat once the queue is full (< 20 MB above the level 10 s after)', baseline !== undefined && peakAfterFull - baseline.rss < 20 * 1024 * 1024, baseline === undefined ? 'queue never filled' : `+${mb(peakAfterFull - baseline.rss)} MB`),
];
if (values.durable) checks.push(check('durable: nothing refused or dropped below the disk limit', final.refused + final.dropped === 0, `${final.refused} refused, ${final.dropped} dropped`));
process.stdout.write('\nchecks\n');
process.stdout.write(table(['check', 'ok', 'detail'], checks));
if (spoolDirectory !== undefined) rmSync(spoolDirectory, { recursive: true, force: true });
process.exitCode = checks.every((row) => row[1] === 'yes') ? 0 : 1;
