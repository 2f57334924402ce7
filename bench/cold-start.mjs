#!/usr/bin/env node
// The cold-start benchmark: what a serverless user pays on every cold start, per SDK, in fresh
// processes. Two parts:
//   start:   per sample, one new process per SDK (lib/cold-child.mjs; SDKs alternate, the first one
//            rotating): the time to load the package, and from the process's start to the first batch
//            the loopback server receives (load, make a client at its defaults, one track call, flush).
//   service: per round, the traced service of the service benchmark per SDK, loaded at a fixed rate
//            from the moment it listens; the CPU it spent in its first seconds, against the no-SDK
//            service of the same round (lib/first-seconds-run.mjs).
// Prints both tables, writes bench/results/cold-start.json and regenerates docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runFirstSeconds } from './lib/first-seconds-run.mjs';
import { describeMachine, loadAverage, machine } from './lib/machine.mjs';
import { commandLine, parseFlags } from './lib/options.mjs';
import { saveResults } from './lib/results.mjs';
import { startIngestionServer } from './lib/server.mjs';
import { coldLabel, COLD_SDKS, markdownFirstSecondsTable, markdownStartTable, summarizeFirstSeconds, summarizeStart } from './lib/cold-summary.mjs';
import { formatSeconds } from './lib/summary.mjs';

const CHILD = fileURLToPath(new URL('./lib/cold-child.mjs', import.meta.url));
const PARTS = ['start', 'service'];
const USAGE = `node bench/cold-start.mjs [flags]
  --parts a,b       ${PARTS.join(', ')} (default both, ≈3 min on 2 cores)
  --samples N       start: fresh processes per SDK; figures are medians (default 25)
  --via MODE        start: load each package with require or import (default require)
  --rounds N        service: rounds of alternation (default 3)
  --rate R          service: requests/s from the moment the service listens (default 1000)
  --window S        service: seconds from the process's start that count (default 10)
  --connections N   service: autocannon connections (default 50)
  --only a,b        SDKs: ${COLD_SDKS.filter((sdk) => sdk.name !== 'none').map((sdk) => sdk.name).join(', ')} (the no-SDK floor, none, always runs)
  --lib-dir DIR     the built library to test, relative to the repository (default dist)
  --timeout S       kill a run after S seconds (default 180)
  --no-docs         do not write bench/results/cold-start.json and docs/benchmarks.md
`;

const { settings, values, integer } = parseFlags(
  process.argv.slice(2),
  {
    parts: { type: 'string', default: PARTS.join(',') },
    samples: { type: 'string', default: '25' },
    via: { type: 'string', default: 'require' },
    rounds: { type: 'string', default: '3' },
    rate: { type: 'string', default: '1000' },
    window: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string', default: COLD_SDKS.filter((sdk) => sdk.name !== 'none').map((sdk) => sdk.name).join(',') },
    'no-docs': { type: 'boolean', default: false },
  },
  USAGE,
);
const parts = values.parts.split(',').map((part) => part.trim());
for (const part of parts) if (!PARTS.includes(part)) throw new Error(`unknown part "${part}": ${PARTS.join(', ')}`);
if (values.via !== 'require' && values.via !== 'import') throw new Error(`--via must be require or import, got "${values.via}"`);
const samples = integer('samples', 1, 1000);
const rounds = integer('rounds', 1, 50);
const rate = integer('rate', 1, 100_000);
const windowMillis = integer('window', 2, 600) * 1000;
const connections = integer('connections', 1, 1000);
const libs = ['none', ...values.only.split(',').map((name) => name.trim()).filter((name) => name !== 'none')];
for (const lib of libs) if (!COLD_SDKS.some((sdk) => sdk.name === lib)) throw new Error(`unknown SDK "${lib}": ${COLD_SDKS.map((sdk) => sdk.name).join(', ')}`);

/** One fresh process of lib/cold-child.mjs: its timings, and when the server got its first batch. */
async function coldSample(server, lib) {
  const runId = server.beginRun();
  const run = server.current;
  const child = spawn(process.execPath, [CHILD, JSON.stringify({ lib, via: values.via, url: server.url(runId), libDir: settings.libDir })], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), settings.timeoutMillis);
  const exitedAt = await new Promise((resolve) => child.on('exit', () => resolve(performance.timeOrigin + performance.now())));
  clearTimeout(timer);
  let times;
  try {
    times = JSON.parse(output.trim().split('\n').at(-1));
  } catch {
    return { lib, failure: output.split('\n')[0] || 'no output' };
  }
  return {
    lib,
    bootMillis: times.scriptAt,
    loadMillis: times.loaded - times.loadStart,
    firstBatchMillis: run.firstMessageAt === undefined ? undefined : run.firstMessageAt - times.timeOrigin,
    flushedMillis: times.flushed,
    cpuMillis: times.cpuMillis,
    exitMillis: exitedAt - times.timeOrigin,
    delivered: run.unique,
  };
}

const info = machine();
process.stdout.write(`${commandLine('cold-start.mjs')}\n${describeMachine(info)}\n`);
const loadBefore = loadAverage();
const server = await startIngestionServer();
const started = Date.now();
const startRuns = [];
const serviceRuns = [];
try {
  if (parts.includes('start')) {
    process.stdout.write(`\nstart: ${samples} fresh process(es) per SDK, packages loaded with ${values.via}\n`);
    for (let sample = 1; sample <= samples; sample++) {
      const line = [];
      for (let index = 0; index < libs.length; index++) {
        const lib = libs[(index + sample - 1) % libs.length];
        const result = await coldSample(server, lib);
        startRuns.push({ ...result, sample });
        line.push(result.failure === undefined ? `${lib} ${result.loadMillis.toFixed(0)}/${result.firstBatchMillis?.toFixed(0) ?? '—'} ms` : `${lib} FAILED: ${result.failure}`);
      }
      process.stdout.write(`sample ${sample}: ${line.join(', ')}\n`);
    }
  }
  if (parts.includes('service')) {
    process.stdout.write(`\nservice: CPU in the first ${windowMillis / 1000} s, ${rate} req/s from the moment it listens, ${rounds} round(s)\n`);
    for (let round = 1; round <= rounds; round++) {
      for (let index = 0; index < libs.length; index++) {
        const lib = libs[(index + round - 1) % libs.length];
        const result = await runFirstSeconds(server, { ...settings, lib, rate, connections, windowMillis });
        serviceRuns.push({ ...result, round });
        const trouble = result.failure === undefined ? '' : ` FAILED: ${result.failure}`;
        const figures = result.failure === undefined ? ` CPU ${result.cpuMillis.toFixed(0)} ms by ${(result.sampledMillis / 1000).toFixed(2)} s, listening at ${result.readyMillis.toFixed(0)} ms, ${result.requests} requests, delivered ${result.delivered}/${result.made}` : '';
        process.stdout.write(`round ${round} ${coldLabel(lib)}:${figures}${trouble}\n`);
      }
    }
  }
} finally {
  await server.close();
}

const startRows = summarizeStart(startRuns);
const serviceRows = summarizeFirstSeconds(serviceRuns);
if (startRows.length > 0) process.stdout.write(`\n## Cold start: load, and process start to first delivered batch (${samples} samples, ${values.via})\n\n${markdownStartTable(startRows)}\n`);
if (serviceRows.length > 0) process.stdout.write(`\n## CPU in the first ${windowMillis / 1000} s of a traced service at ${rate} req/s (${rounds} rounds)\n\n${markdownFirstSecondsTable(serviceRows)}\n`);
const load = { before: loadBefore, after: loadAverage() };
process.stdout.write(`\ntotal ${formatSeconds(Date.now() - started)}; load average ${load.before} before, ${load.after} after (${info.cores} cores)\n`);

if (!values['no-docs']) {
  saveResults('cold-start.mjs', 'cold-start', {
    machine: info,
    load,
    settings: { libDir: values['lib-dir'], parts, samples, via: values.via, rounds, rate, windowMillis, connections, libs },
    startRows,
    serviceRows,
    startRuns,
    serviceRuns,
  });
}
