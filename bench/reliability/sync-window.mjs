#!/usr/bin/env node
// What `storage.syncInterval` leaves at risk on a power loss: the spool is written at --rate messages
// per second for --seconds, with a background fdatasync every --interval ms, each timed. The window
// at risk is the interval plus the longest sync. Uses the built package's spool (npm run build first)
// on a directory of the file system under test (--dir, default the system's temporary directory).
//
//   node bench/reliability/sync-window.mjs [--interval 1000] [--rate 1000] [--seconds 10] [--dir PATH]
import { fdatasync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import { table } from './lib/measure.mjs';

const require = createRequire(import.meta.url);
const { Spool } = require('../../dist/storage/spool.js');

const { values } = parseArgs({
  options: {
    interval: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    dir: { type: 'string', default: tmpdir() },
  },
});
const interval = Number(values.interval);
const rate = Number(values.rate);
const directory = mkdtempSync(path.join(values.dir, 'metarouter-sync-window-'));
const syncs = [];
const spool = new Spool(
  {
    directory,
    maxBytes: 2 ** 30,
    syncInterval: interval,
    io: {
      fdatasync(fd, callback) {
        const started = performance.now();
        fdatasync(fd, (error) => {
          syncs.push(performance.now() - started);
          callback(error);
        });
      },
    },
  },
  (error) => process.stderr.write(`${error.code} ${error.message}\n`),
);
const json = JSON.stringify({ type: 'track', event: 'Order Completed', userId: 'user-1', properties: { revenue: 42.5, currency: 'EUR', products: [{ id: 'p-1', price: 21.25 }, { id: 'p-2', price: 21.25 }] }, context: { library: { name: 'metarouter-otel' } } }).padEnd(400);
const appendMicros = [];
let n = 0;
const end = Date.now() + Number(values.seconds) * 1000;
while (Date.now() < end) {
  for (let i = 0; i < rate / 100; i++, n++) {
    const started = performance.now();
    spool.append(`m-${n}`, json, false);
    appendMicros.push((performance.now() - started) * 1000);
  }
  await sleep(10);
}
await sleep(interval + 200);
spool.close();
rmSync(directory, { recursive: true, force: true });

const sorted = (list) => [...list].sort((a, b) => a - b);
const at = (list, q) => sorted(list)[Math.min(list.length - 1, Math.floor(q * list.length))];
process.stdout.write(`sync window: ${n} messages of ≈${json.length} B at ${rate}/s, syncInterval ${interval} ms, on ${values.dir}\n\n`);
process.stdout.write(
  table(
    ['figure', 'value'],
    [
      ['syncs', syncs.length],
      ['sync duration median / p99 / max (ms)', `${at(syncs, 0.5).toFixed(2)} / ${at(syncs, 0.99).toFixed(2)} / ${Math.max(...syncs).toFixed(2)}`],
      ['window at risk on power loss: interval + longest sync (ms)', (interval + Math.max(...syncs)).toFixed(0)],
      ['messages at risk at this rate, at most', Math.ceil(((interval + Math.max(...syncs)) / 1000) * rate)],
      ['append (write(2), no sync) median / p99 (µs)', `${at(appendMicros, 0.5).toFixed(1)} / ${at(appendMicros, 0.99).toFixed(1)}`],
    ],
  ),
);
