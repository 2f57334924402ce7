#!/usr/bin/env node
// How long metarouter-otel's track() holds a request handler, call by call: a traced handler loop
// without HTTP (a fresh active span per "request", one request per turn of the loop, as in a
// service), the time of every call recorded. The tail (p99, p99.9) is where work done inside one
// call in a hundred shows, e.g. a batch sent from the call that filled it. With --compare, two
// builds alternate round by round (each run in its own process) and the table sets them side by
// side: the ratio within one run is the figure to read on a shared machine. The SDK delivers to
// the loopback ingestion server; losses and duplicates are checked in every run.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createGenerator } from './lib/generator.mjs';
import { REPO_DIR } from './lib/options.mjs';
import { startIngestionServer, summarize } from './lib/server.mjs';
import { median } from './lib/summary.mjs';

const USAGE = `node bench/call-tail.mjs [flags]
  --lib-dir DIR    the build to measure, relative to the repository (default dist)
  --compare DIR    a second build, alternated with the first
  --count N        measured calls per run (default 100000, after 20000 discarded)
  --rounds N       runs per build; figures are medians (default 3)
`;
const KEYS = [['p50', 0.5], ['p90', 0.9], ['p99', 0.99], ['p99.9', 0.999], ['max', 1]];

async function child({ libDir, url, count }) {
  const require = createRequire(path.join(libDir, 'index.js'));
  const api = require('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const { Analytics } = require(path.join(libDir, 'index.js'));
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = { export: (spans, done) => done({ code: 0 }), shutdown: async () => {} };
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  const tracer = provider.getTracer('bench-call-tail');
  const analytics = new Analytics({ writeKey: 'bench-write-key', host: url });
  const reported = [];
  analytics.on('error', (error) => reported.push(error.code));
  const generator = createGenerator({ seed: 7, size: 360 });
  const warm = 20_000;
  const times = new Float64Array(count);
  let cpuAtStart;
  for (let seq = 0; seq < warm + count; seq++) {
    if (seq === warm) cpuAtStart = process.cpuUsage();
    tracer.startActiveSpan('GET /checkout', { kind: api.SpanKind.SERVER }, (span) => {
      const params = generator.next(seq);
      const t0 = performance.now();
      analytics.track(params);
      if (seq >= warm) times[seq - warm] = performance.now() - t0;
      span.end();
    });
    await nextTurn();
  }
  const cpu = process.cpuUsage(cpuAtStart);
  await analytics.closeAndFlush({ timeout: 60_000 });
  await provider.shutdown();
  times.sort();
  const at = (q) => times[Math.min(count - 1, Math.floor(q * count))] * 1000;
  return { made: warm + count, reported, delivered: analytics.counters.delivered, micros: Object.fromEntries(KEYS.map(([key, q]) => [key, at(q)])), cpuPerRequestMicros: (cpu.user + cpu.system) / count };
}

function runChild(spec) {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--child', JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result;
    proc.on('message', (message) => (result = message));
    proc.on('exit', (code) => (result === undefined ? reject(new Error(`the run ended with exit code ${code}`)) : resolve(result)));
  });
}

if (process.argv[2] === '--child') {
  const result = await child(JSON.parse(process.argv[3]));
  process.send(result, () => process.exit(0));
} else {
  const { values } = parseArgs({
    options: { 'lib-dir': { type: 'string', default: 'dist' }, compare: { type: 'string' }, count: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const count = Number.parseInt(values.count, 10);
  const rounds = Number.parseInt(values.rounds, 10);
  if (!(count > 0) || !(rounds > 0)) throw new Error('--count and --rounds take positive integers');
  const builds = [values['lib-dir'], values.compare].filter((dir) => dir !== undefined);
  const server = await startIngestionServer();
  const runs = Object.fromEntries(builds.map((dir) => [dir, []]));
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const dir of round % 2 === 1 ? builds : [...builds].reverse()) {
        const runId = server.beginRun();
        const result = await runChild({ libDir: path.resolve(REPO_DIR, dir), url: server.url(runId), count });
        // The SDK's flush may resolve a moment before this server has decoded the last body.
        for (let waited = 0; server.current.unique < result.made && waited < 3000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
        const counted = summarize(server.current);
        runs[dir].push({ ...result, lost: result.made - counted.unique, duplicates: counted.duplicates });
        const figures = KEYS.map(([key]) => `${key} ${result.micros[key].toFixed(1)}`).join(', ');
        process.stdout.write(`round ${round} ${dir}: track() µs ${figures}; CPU ${result.cpuPerRequestMicros.toFixed(1)} µs/request; lost ${result.made - counted.unique}, dup ${counted.duplicates}; the SDK counted ${result.delivered} delivered${result.reported.length > 0 ? ` and reported ${result.reported.join(', ')}` : ''}\n`);
      }
    }
  } finally {
    await server.close();
  }
  process.stdout.write(`\n| build | ${KEYS.map(([key]) => `track() ${key}`).join(' | ')} | CPU per request | lost | dup |\n|---|${KEYS.map(() => '---:').join('|')}|---:|---:|---:|\n`);
  for (const dir of builds) {
    const group = runs[dir];
    const cells = KEYS.map(([key]) => `${median(group.map((run) => run.micros[key])).toFixed(1)} µs`);
    process.stdout.write(`| ${dir} | ${cells.join(' | ')} | ${median(group.map((run) => run.cpuPerRequestMicros)).toFixed(1)} µs | ${Math.max(...group.map((run) => run.lost))} | ${Math.max(...group.map((run) => run.duplicates))} |\n`);
  }
}
