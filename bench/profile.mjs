#!/usr/bin/env node
// Profiles one library's run with `node --cpu-prof` (default: metarouter-otel, 100,000 calls in a
// burst) and aggregates self time by function + file: over the whole run, over the synchronous
// call loop alone, and over what follows it (delivery). Writes the .cpuprofile to bench/profiles/
// (git-ignored; open it in Chrome DevTools for flame charts) and bench/results/profile.json.
//
//   node bench/profile.mjs [--only metarouter] [--count 100000] [--mode burst] [--rounds 3] [--top 15]
//   node bench/profile.mjs --read bench/profiles/<file>.cpuprofile     (aggregate an existing one)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { catalogEntry } from './lib/catalog.mjs';
import { describeMachine, loadAverage, machine } from './lib/machine.mjs';
import { BENCH_DIR, REPO_DIR, commandLine, parseFlags } from './lib/options.mjs';
import { startIngestionServer } from './lib/server.mjs';
import { runOne } from './lib/spawn-run.mjs';
import { formatCount, formatMicros, formatSeconds, median } from './lib/summary.mjs';
import { writeDocs } from './write-docs.mjs';

const USAGE = `node bench/profile.mjs [flags]
  --only LIB     library to profile (default metarouter)
  --mode M       burst or paced (default burst)
  --top N        entries to print (default 15)
  --rounds N     profiled runs, their self times summed (default 3)
  --read FILE    only aggregate an existing .cpuprofile (whole run)
  --no-docs      do not write bench/results/profile.json and docs/benchmarks.md
  and the flags of run.mjs: --count, --size, --flush-at, --seed, --lib-dir, …
`;

/** Where a call frame lives, relative to the repository, so paths name no machine. */
function where(url, line) {
  if (url === '') return '';
  let file = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  if (path.isAbsolute(file)) file = path.relative(REPO_DIR, file);
  return `${file}:${line + 1}`;
}

/** Which part of the stack a frame belongs to, for the coarse breakdown. */
function category(frame) {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native (program)';
    return `native: ${functionName || '(anonymous)'}`;
  }
  if (url.startsWith('wasm://')) return 'dependency: undici (llhttp, WebAssembly)';
  const file = where(url, 0);
  if (file.startsWith('node:') || !file.includes('/')) return 'Node.js internals';
  const scoped = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (scoped !== null) {
    const name = scoped[1];
    return name.startsWith('@opentelemetry/') ? `OpenTelemetry: ${name}` : `dependency: ${name}`;
  }
  if (file.startsWith('bench/')) return 'bench harness';
  // The library under test: dist/<layer>/… (or another --lib-dir); files at its top are its entry.
  const parts = file.split('/');
  return parts.length > 2 ? `metarouter-otel: ${parts[1]}` : 'metarouter-otel';
}

/**
 * Self time (µs) by function + file, within [from, to] (profile clock, µs); all when undefined.
 * Returns { totalMicros, entries: [{ name, file, micros, category }], categories: [{ name, micros }] }.
 */
export function aggregate(profile, from = -Infinity, to = Infinity) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const self = new Map();
  let time = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i];
    const next = i + 1 < profile.samples.length ? time + profile.timeDeltas[i + 1] : profile.endTime;
    const start = Math.max(time, from);
    const end = Math.min(next, to);
    if (end <= start) continue;
    const duration = end - start;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + duration);
    total += duration;
  }
  const entries = new Map();
  const categories = new Map();
  for (const [id, micros] of self) {
    const frame = byId.get(id).callFrame;
    let name = frame.functionName || '(anonymous)';
    let file = where(frame.url, frame.lineNumber);
    if (file === '' && !name.startsWith('(')) name = `${name} (native)`;
    let part = category(frame);
    const caller = byId.get(parentOf.get(id))?.callFrame;
    if (file === '' && !name.startsWith('(') && caller !== undefined && caller.url !== '') {
      // A named native function (writev, cpuUsage, …) belongs to the part that calls it.
      part = category(caller);
    }
    if (file === '' && name === '(anonymous)' && caller !== undefined) {
      // A native frame without a name: say who called it, or it cannot be read.
      file = `called from ${caller.functionName || '(anonymous)'} ${where(caller.url, caller.lineNumber)}`.trim();
      part = category(caller);
    }
    const key = `${name}\u0000${file}`;
    const entry = entries.get(key) ?? { name, file, micros: 0, category: part };
    entry.micros += micros;
    entries.set(key, entry);
    categories.set(entry.category, (categories.get(entry.category) ?? 0) + micros);
  }
  return {
    totalMicros: total,
    entries: [...entries.values()].sort((a, b) => b.micros - a.micros),
    categories: [...categories].map(([name, micros]) => ({ name, micros })).sort((a, b) => b.micros - a.micros),
  };
}

/** Sums aggregates of several profiles into one. */
function merge(summaries) {
  const entries = new Map();
  const categories = new Map();
  for (const summary of summaries) {
    for (const entry of summary.entries) {
      const key = `${entry.name}\u0000${entry.file}`;
      const sum = entries.get(key) ?? { ...entry, micros: 0 };
      sum.micros += entry.micros;
      entries.set(key, sum);
    }
    for (const part of summary.categories) categories.set(part.name, (categories.get(part.name) ?? 0) + part.micros);
  }
  return {
    totalMicros: summaries.reduce((sum, summary) => sum + summary.totalMicros, 0),
    entries: [...entries.values()].sort((a, b) => b.micros - a.micros),
    categories: [...categories].map(([name, micros]) => ({ name, micros })).sort((a, b) => b.micros - a.micros),
  };
}

function print(title, summary, top) {
  const pct = (micros) => `${((100 * micros) / summary.totalMicros).toFixed(1).padStart(5)} %`;
  process.stdout.write(`\n### ${title}: ${formatSeconds(summary.totalMicros / 1000)} sampled\n\n`);
  process.stdout.write('| # | self | share | function | file |\n|---:|---:|---:|---|---|\n');
  summary.entries.slice(0, top).forEach((entry, index) => {
    process.stdout.write(`| ${index + 1} | ${(entry.micros / 1000).toFixed(1)} ms | ${pct(entry.micros)} | \`${entry.name}\` | ${entry.file} |\n`);
  });
  process.stdout.write('\nby part:\n');
  for (const part of summary.categories.slice(0, 14)) process.stdout.write(`  ${pct(part.micros)}  ${(part.micros / 1000).toFixed(0).padStart(6)} ms  ${part.name}\n`);
}

function compact(summary, top) {
  return {
    totalMicros: Math.round(summary.totalMicros),
    entries: summary.entries.slice(0, top).map((entry) => ({ ...entry, micros: Math.round(entry.micros) })),
    categories: summary.categories.map((part) => ({ ...part, micros: Math.round(part.micros) })),
  };
}

async function main() {
  const { settings, values, integer } = parseFlags(
    process.argv.slice(2),
    {
      only: { type: 'string', default: 'metarouter' },
      mode: { type: 'string', default: 'burst' },
      top: { type: 'string', default: '15' },
      rounds: { type: 'string', default: '3' },
      read: { type: 'string' },
      'no-docs': { type: 'boolean', default: false },
    },
    USAGE,
  );
  const top = integer('top', 1, 200);
  const rounds = integer('rounds', 1, 20);
  if (values.read !== undefined) {
    print(values.read, aggregate(JSON.parse(readFileSync(values.read, 'utf8'))), top);
    return;
  }
  const lib = catalogEntry(values.only).name;
  const mode = values.mode;
  if (mode !== 'burst' && mode !== 'paced') throw new Error(`unknown mode "${mode}": burst or paced`);
  const profileDir = path.join(BENCH_DIR, 'profiles');
  mkdirSync(profileDir, { recursive: true });
  process.stdout.write(`${commandLine('profile.mjs')}\n${describeMachine(machine())}\n`);
  const server = await startIngestionServer();
  const profiled = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const name = `${lib}-${mode}-${settings.count}-${Date.now()}.cpuprofile`;
      const run = await runOne(server, { ...settings, lib, mode, execArgv: ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', name] });
      if (run.child === undefined) throw new Error(`the profiled run failed: ${run.failure ?? JSON.stringify(run.exit)}`);
      process.stdout.write(
        `${lib} ${mode}: ${formatCount(run.made)} calls, ${formatMicros(run.perCallMicros)}/call, delivered ${formatSeconds(run.deliveredMillis)} (${formatCount(run.eventsPerSecond)}/s), dup ${run.server.duplicates}, lost ${run.lost} (profiler on: slower than a plain run)\n`,
      );
      process.stdout.write(`profile: ${path.relative(REPO_DIR, path.join(profileDir, name))}\n`);
      const profile = JSON.parse(readFileSync(path.join(profileDir, name), 'utf8'));
      const { hr0, hr1, hr2 } = run.child;
      profiled.push({ run, windows: { callLoop: aggregate(profile, hr0, hr1), delivery: aggregate(profile, hr1, hr2), whole: aggregate(profile) } });
    }
  } finally {
    await server.close();
  }
  // Several profiles are summed: one run's GC and scheduling vary a lot on a small machine.
  const windows = Object.fromEntries(['callLoop', 'delivery', 'whole'].map((key) => [key, merge(profiled.map((item) => item.windows[key]))]));
  const run = profiled[0].run;
  print('the call loop (synchronous calls)', windows.callLoop, top);
  print('after the loop, until closeAndFlush resolved (delivery)', windows.delivery, top);
  print('the whole process', windows.whole, top);
  if (!values['no-docs']) {
    const record = {
      command: commandLine('profile.mjs'),
      date: new Date().toISOString(),
      machine: machine(),
      load: loadAverage(),
      settings: { lib, mode, count: settings.count, size: settings.size, flushAt: settings.flushAt, libDir: values['lib-dir'] },
      rounds,
      run: {
        made: run.made,
        perCallMicros: median(profiled.map((item) => item.run.perCallMicros)),
        deliveredMillis: median(profiled.map((item) => item.run.deliveredMillis)),
        duplicates: Math.max(...profiled.map((item) => item.run.server.duplicates)),
        lost: Math.max(...profiled.map((item) => item.run.lost)),
      },
      windows: Object.fromEntries(Object.entries(windows).map(([key, summary]) => [key, compact(summary, 30)])),
    };
    mkdirSync(path.join(BENCH_DIR, 'results'), { recursive: true });
    writeFileSync(path.join(BENCH_DIR, 'results', 'profile.json'), `${JSON.stringify(record, null, 1)}\n`);
    writeDocs();
    process.stdout.write('\nwrote bench/results/profile.json and docs/benchmarks.md\n');
  }
}

await main();
