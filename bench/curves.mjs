#!/usr/bin/env node
// metarouter-otel's time per call and events/s against message size (100 B → 30 KB, at a fixed
// count) and against count (10 k → 1 M, at ≈360 B), with the pre-serialized baseline alongside
// as the reference. Each point is the median of its rounds (the 1 M point: --big-rounds).
// Writes bench/results/curves.json, then docs/benchmarks.md and docs/benchmarks-curves.svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { catalogEntry } from './lib/catalog.mjs';
import { describeMachine, loadAverage, machine } from './lib/machine.mjs';
import { BENCH_DIR, commandLine, parseFlags, parseInteger } from './lib/options.mjs';
import { startIngestionServer } from './lib/server.mjs';
import { runOne } from './lib/spawn-run.mjs';
import { formatCount, formatMegabytes, formatMicros, formatSeconds, median } from './lib/summary.mjs';
import { writeDocs } from './write-docs.mjs';

const USAGE = `node bench/curves.mjs [flags]
  --sizes a,b,…       message sizes in bytes (default 100,1024,4096,16384,30720)
  --size-count N      calls per run of the size curve (default 20000)
  --counts a,b,…      counts of the count curve, at --size (default 10k,100k,1m)
  --rounds N          rounds per point (default 3)
  --big-rounds N      rounds for counts of 1 M and more (default 1)
  --only a,b          libraries (default metarouter,baseline)
  --mode M            burst or paced (default burst)
  --warm N            calls made by a first, discarded client before each measured one, so the
                      curves show steady-state cost, not V8 warming up (default 10000)
  --no-docs           do not write bench/results/curves.json and the docs
  and the flags of run.mjs: --size, --flush-at, --seed, --timeout, --lib-dir, …
`;

const { settings, values, integer } = parseFlags(
  process.argv.slice(2),
  {
    sizes: { type: 'string', default: '100,1024,4096,16384,30720' },
    'size-count': { type: 'string', default: '20000' },
    counts: { type: 'string', default: '10k,100k,1m' },
    rounds: { type: 'string', default: '3' },
    'big-rounds': { type: 'string', default: '1' },
    only: { type: 'string', default: 'metarouter,baseline' },
    mode: { type: 'string', default: 'burst' },
    'no-docs': { type: 'boolean', default: false },
    warm: { type: 'string', default: '10000' },
  },
  USAGE,
);
const parseList = (name, min, max) => values[name].split(',').map((item) => parseInteger(item, name, min, max));
const sizes = parseList('sizes', 100, 30_720);
const counts = parseList('counts', 1, 10_000_000);
const sizeCount = integer('size-count', 1);
const rounds = integer('rounds', 1, 50);
const bigRounds = integer('big-rounds', 1, 50);
const libs = values.only.split(',').map((name) => catalogEntry(name.trim()).name);
const mode = values.mode;
if (mode !== 'burst' && mode !== 'paced') throw new Error(`unknown mode "${mode}": burst or paced`);

const points = [
  ...sizes.map((size) => ({ curve: 'size', size, count: sizeCount, rounds })),
  ...counts.map((count) => ({ curve: 'count', size: settings.size, count, rounds: count >= 1_000_000 ? bigRounds : rounds })),
];

process.stdout.write(`${commandLine('curves.mjs')}\n${describeMachine(machine())}\n\n`);
const loadBefore = loadAverage();
const server = await startIngestionServer();
const runs = [];
try {
  const maxRounds = Math.max(...points.map((point) => point.rounds));
  for (let round = 1; round <= maxRounds; round++) {
    for (const point of points) {
      if (round > point.rounds) continue;
      for (const lib of libs) {
        // Long runs get a deadline that grows with the count.
        const timeoutMillis = Math.max(settings.timeoutMillis, Math.ceil(point.count / 5000) * 1000);
        const run = await runOne(server, { ...settings, lib, mode, size: point.size, count: point.count, budgetMillis: 0, timeoutMillis });
        runs.push({ ...run, curve: point.curve, round });
        const trouble = run.failure !== undefined ? ` FAILED: ${run.failure.split('\n')[0]}` : run.timedOut ? ' KILLED at the deadline' : '';
        process.stdout.write(
          `round ${round} ${point.curve.padEnd(5)} ${lib.padEnd(10)} ${formatCount(point.count).padStart(6)} × ${String(point.size).padStart(5)} B: ${formatMicros(run.perCallMicros)}/call, delivered ${formatSeconds(run.deliveredMillis)}, ${formatCount(run.eventsPerSecond)}/s, RSS ${formatMegabytes(run.child?.maxRss)}, dup ${run.server.duplicates}, lost ${run.lost}${trouble}\n`,
        );
      }
    }
  }
} finally {
  await server.close();
}

const series = [];
for (const lib of libs) {
  for (const point of points) {
    const group = runs.filter((run) => run.lib === lib && run.curve === point.curve && run.size === point.size && run.count === point.count);
    series.push({
      lib,
      curve: point.curve,
      size: point.size,
      count: point.count,
      rounds: group.length,
      perCallMicros: median(group.map((run) => run.perCallMicros)),
      eventsPerSecond: median(group.map((run) => run.eventsPerSecond)),
      deliveredMillis: median(group.map((run) => run.deliveredMillis)),
      peakRssBytes: median(group.map((run) => run.child?.maxRss)),
      duplicates: Math.max(0, ...group.map((run) => run.server.duplicates)),
      lost: Math.max(0, ...group.map((run) => run.lost)),
      deliveredRounds: group.filter((run) => run.deliveredMillis !== undefined).length,
    });
  }
}

process.stdout.write('\n| curve | library | count | size | time per call | events/s | peak RSS | dup | lost |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n');
for (const point of series) {
  process.stdout.write(
    `| ${point.curve} | ${point.lib} | ${formatCount(point.count)} | ${point.size} B | ${formatMicros(point.perCallMicros)} | ${formatCount(point.eventsPerSecond)} | ${formatMegabytes(point.peakRssBytes)} | ${point.duplicates} | ${point.lost} |\n`,
  );
}

if (!values['no-docs']) {
  const resultsDir = path.join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const record = {
    command: commandLine('curves.mjs'),
    date: new Date().toISOString(),
    machine: machine(),
    load: { before: loadBefore, after: loadAverage() },
    settings: { mode, sizes, sizeCount, counts, countSize: settings.size, rounds, bigRounds, warm: settings.warmCalls, flushAt: settings.flushAt, libs, libDir: values['lib-dir'] },
    series,
  };
  writeFileSync(path.join(resultsDir, 'curves.json'), `${JSON.stringify(record, null, 1)}\n`);
  writeDocs();
  process.stdout.write('\nwrote bench/results/curves.json, docs/benchmarks.md and docs/benchmarks-curves.svg\n');
}
