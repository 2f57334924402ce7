#!/usr/bin/env node
// Races metarouter-otel against its peers: every library in its own child process, fed the same
// generated `track` calls, delivering to one loopback ingestion server; libraries alternate
// (A B C D E, A B C D E, …) and each figure is the median of the rounds. Prints the table
// and the goal ratios, writes bench/results/run.json, and regenerates docs/benchmarks.md.
import { CATALOG, catalogEntry } from './lib/catalog.mjs';
import { describeMachine, loadAverage, machine } from './lib/machine.mjs';
import { commandLine, parseFlags } from './lib/options.mjs';
import { startIngestionServer } from './lib/server.mjs';
import { saveResults } from './lib/results.mjs';
import { runOne, runtimeVersion } from './lib/spawn-run.mjs';
import { formatCount, formatMicros, formatSeconds, markdownRatios, markdownTable, summarize } from './lib/summary.mjs';

const USAGE = `node bench/run.mjs [flags]
  --count N         calls per run (default 100000; 10k, 1m accepted)
  --size BYTES      JSON size of each call's params, 100..30720 (default 360)
  --rounds N        rounds of alternation; figures are medians (default 3)
  --only a,b        libraries: ${CATALOG.map((entry) => entry.name).join(', ')}
  --modes m,n       burst (all calls in one loop) and/or paced (yield every 100 calls); default burst,paced
  --flush-at N      flushAt of metarouter-otel, Segment and Rudder (default 700)
  --posthog-batch N flushAt and maxBatchSize of posthog-node (default 840)
  --budget S        stop a run's call loop after S seconds of calls (default 15; 0 = never)
  --timeout S       kill a run after S seconds (default 180)
  --seed N          generator seed (default 42)
  --warm N          before the measured client, a discarded one makes N calls (default 0: the
                    burst starts cold, as at a process's start)
  --our-defaults    metarouter-otel with only writeKey and host (flushAt 100, maxQueueSize 10000)
  --lib-dir DIR     the built library to test, relative to the repository (default dist)
  --runtimes a,b    run each library on node, bun and/or deno (default node); Bun and Deno from
                    their npm packages, rows beside Node's
  --results NAME    write bench/results/NAME.json (default run; npm run bench writes the Bun and
                    Deno rows as runtimes)
  --no-docs         do not write bench/results/NAME.json and docs/benchmarks.md
`;

const { settings, values, integer } = parseFlags(
  process.argv.slice(2),
  {
    rounds: { type: 'string', default: '3' },
    only: { type: 'string', default: CATALOG.map((entry) => entry.name).join(',') },
    modes: { type: 'string', default: 'burst,paced' },
    runtimes: { type: 'string', default: 'node' },
    results: { type: 'string', default: 'run' },
    'no-docs': { type: 'boolean', default: false },
  },
  USAGE,
);
const rounds = integer('rounds', 1, 50);
const libs = values.only.split(',').map((name) => catalogEntry(name.trim()).name);
const modes = values.modes.split(',').map((mode) => mode.trim());
for (const mode of modes) if (mode !== 'burst' && mode !== 'paced') throw new Error(`unknown mode "${mode}": burst or paced`);
const runtimes = values.runtimes.split(',').map((name) => name.trim());
const runtimeVersions = Object.fromEntries(runtimes.map((name) => [name, runtimeVersion(name)]));
if (!/^[a-z][a-z0-9-]*$/.test(values.results)) throw new Error(`--results must be a plain name (letters, digits, -), got "${values.results}"`);

const info = machine();
process.stdout.write(`${commandLine('run.mjs')}\n${describeMachine(info)}\n`);
process.stdout.write(`${formatCount(settings.count)} calls of ≈${settings.size} B, ${rounds} round(s), modes ${modes.join(', ')}, on ${Object.values(runtimeVersions).join(', ')}\n\n`);

const loadBefore = loadAverage();
const server = await startIngestionServer();
const runs = [];
const started = Date.now();
try {
  for (let round = 1; round <= rounds; round++) {
    for (const lib of libs) {
      for (const runtime of runtimes) {
        for (const mode of modes) {
          const run = await runOne(server, { ...settings, lib, mode, runtime });
          runs.push({ ...run, round, runtimeVersion: runtimeVersions[runtime] });
          const delivered = catalogEntry(lib).delivers ? ` delivered ${formatSeconds(run.deliveredMillis)}, ${formatCount(run.eventsPerSecond)}/s, dup ${run.server.duplicates}, lost ${run.lost},` : '';
          const trouble = run.failure !== undefined ? ` FAILED: ${run.failure.split('\n')[0]}` : run.timedOut ? ' KILLED at the deadline' : '';
          const where = runtime === 'node' ? '' : ` ${runtime}`;
          process.stdout.write(
            `round ${round} ${lib.padEnd(10)}${where} ${mode.padEnd(5)} ${formatCount(run.made)} calls, ${formatMicros(run.perCallMicros)}/call (CPU ${formatMicros(run.loopCpuPerCallMicros)}), CPU ${formatMicros(run.cpuPerCallMicros)}/event,${delivered} RSS ${Math.round((run.child?.maxRss ?? 0) / 2 ** 20)} MB${trouble}\n`,
          );
          if (run.outputLines > 0) process.stdout.write(`  (the library printed ${run.outputLines} lines; first: ${JSON.stringify(run.output.split('\n')[0].slice(0, 160))})\n`);
        }
      }
    }
  }
} finally {
  await server.close();
}

const rows = summarize(runs);
for (const mode of modes) {
  // The goal ratios compare with Segment: without its rows (e.g. our rows on Bun and Deno) they say nothing.
  const goals = libs.includes('segment') ? `\n${markdownRatios(rows, mode)}\n` : '';
  process.stdout.write(`\n## ${mode}: ${formatCount(settings.count)} track calls of ≈${settings.size} B (median of ${rounds})\n\n${markdownTable(rows, mode)}\n${goals}`);
}
const load = { before: loadBefore, after: loadAverage() };
process.stdout.write(`\ntotal ${formatSeconds(Date.now() - started)}; load average ${load.before} before, ${load.after} after (${info.cores} cores)\n`);

if (!values['no-docs']) {
  saveResults('run.mjs', values.results, {
    machine: info,
    load,
    settings: { ...settings, libDir: values['lib-dir'], rounds, modes, libs, runtimes: runtimeVersions },
    rows,
    runs: runs.map((run) => ({
      round: run.round,
      lib: run.lib,
      mode: run.mode,
      runtime: run.runtime,
      made: run.made,
      perCallMicros: run.perCallMicros,
      loopCpuPerCallMicros: run.loopCpuPerCallMicros,
      cpuPerCallMicros: run.cpuPerCallMicros,
      deliveredMillis: run.deliveredMillis,
      eventsPerSecond: run.eventsPerSecond,
      maxRss: run.child?.maxRss,
      requests: run.server.requests,
      maxInFlight: run.server.maxInFlight,
      serverCpuMillis: Math.round(run.server.serverCpuMillis),
      duplicates: run.server.duplicates,
      duplicatesById: run.server.duplicatesById,
      lost: run.lost,
      finish: run.child?.finish,
      timedOut: run.timedOut,
      failure: run.failure,
      output: run.output === '' ? undefined : run.output.slice(0, 200),
    })),
  });
}
