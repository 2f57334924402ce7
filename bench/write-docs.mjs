#!/usr/bin/env node
// Writes docs/benchmarks.md (and docs/benchmarks-curves.svg) from the latest results in
// bench/results/: run.json (node bench/run.mjs), service.json (node bench/service.mjs),
// cold-start.json (node bench/cold-start.mjs), runtimes.json (node bench/run.mjs --results runtimes), curves.json (node bench/curves.mjs),
// profile.json (node bench/profile.mjs) and bridge.json (node bench/bridge-throughput.mjs). Each of those scripts calls this when it finishes;
// `node bench/write-docs.mjs` regenerates the page from the stored results alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bridgeSection } from './lib/bridge-summary.mjs';
import { CATALOG } from './lib/catalog.mjs';
import { describeMachine } from './lib/machine.mjs';

/** Says how busy the machine was, when the results recorded it. */
function describeLoad(load, cores) {
  if (load === undefined) return '';
  const busy = load.after > cores + 1;
  return ` 1-minute load average ${load.before} before the runs and ${load.after} after (the benchmark alone accounts for about 2)${busy ? ': other processes competed for the CPU, so wall-clock figures are inflated and vary between rounds; the CPU-time columns and ratio are the steadier guide' : ''}.`;
}
import { BENCH_DIR, REPO_DIR } from './lib/options.mjs';
import { formatCount, formatMegabytes, formatMicros, formatSeconds, markdownRatios, markdownTable } from './lib/summary.mjs';
import { LATENCY_KEYS, markdownServiceGoals, markdownServiceTable, serviceLabel, summarizeService } from './lib/service-summary.mjs';
import { renderChart } from './lib/svg-chart.mjs';
import { markdownFirstSecondsTable, markdownStartTable } from './lib/cold-summary.mjs';

function load(name) {
  const file = path.join(BENCH_DIR, 'results', name);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

const LABELS = Object.fromEntries(CATALOG.map((entry) => [entry.name, entry.name === 'baseline' ? 'pre-serialized baseline' : entry.label]));

function sizeLabel(bytes) {
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} B`;
}

function chart(curves) {
  const libs = curves.settings.libs;
  const pick = (curve, metric) =>
    libs.map((lib) => ({
      name: lib,
      label: LABELS[lib] ?? lib,
      points: curves.series.filter((point) => point.lib === lib && point.curve === curve).map((point) => [curve === 'size' ? point.size : point.count, point[metric]]),
    }));
  const sizes = curves.settings.sizes.map((size) => ({ value: size, label: sizeLabel(size) }));
  const counts = curves.settings.counts.map((count) => ({ value: count, label: count >= 1e6 ? `${count / 1e6} M` : count >= 1e3 ? `${count / 1e3} k` : String(count) }));
  const micros = (v) => (v >= 1000 ? `${(v / 1000).toFixed(1)} ms` : `${Number(v.toPrecision(3))} µs`);
  const rate = (v) => (v >= 1000 ? `${Number((v / 1000).toPrecision(3))} k` : String(Math.round(v)));
  return renderChart({
    title: 'metarouter-otel: cost per call and throughput against message size and count',
    subtitle: `${curves.settings.mode}, medians; size curve at ${formatCount(curves.settings.sizeCount)} calls, count curve at ≈${curves.settings.countSize} B. ${describeMachine(curves.machine)}`,
    panels: [
      { title: 'time per call vs message size', xLabel: 'message size (JSON of the call)', yLabel: 'time per call', xTicks: sizes, yFormat: micros, series: pick('size', 'perCallMicros') },
      { title: 'events/s (until all delivered) vs message size', xLabel: 'message size (JSON of the call)', yLabel: 'events per second', xTicks: sizes, yFormat: rate, series: pick('size', 'eventsPerSecond') },
      { title: 'time per call vs count', xLabel: 'calls in the burst (log scale)', yLabel: 'time per call', xLog: true, xTicks: counts, yFormat: micros, series: pick('count', 'perCallMicros') },
      { title: 'events/s (until all delivered) vs count', xLabel: 'calls in the burst (log scale)', yLabel: 'events per second', xLog: true, xTicks: counts, yFormat: rate, series: pick('count', 'eventsPerSecond') },
    ],
  });
}

function runSection(run) {
  const out = [];
  const s = run.settings;
  out.push(`## Side by side: ${formatCount(s.count)} \`track\` calls of ≈${s.size} B`);
  out.push('');
  out.push(`Produced by \`${run.command}\` on ${run.date.slice(0, 10)}; ${describeMachine(run.machine)}. Each figure is the median of ${s.rounds} round(s), libraries alternating within each round; duplicates and losses show the range over the rounds.${describeLoad(run.load, run.machine.cores)}`);
  if (s.ourDefaults) out.push('', 'metarouter-otel ran with only `writeKey` and `host` (`--our-defaults`): flushAt 500 and maxQueueSize 10,000, its defaults.');
  if (s.warmCalls > 0) out.push('', `Each measured client was preceded by a discarded one of the same library making ${formatCount(s.warmCalls)} calls (\`--warm\`).`);
  if (s.flushAt !== 700 || s.posthogBatch !== 840) out.push('', `Batch sizes: flushAt ${s.flushAt} (metarouter-otel, Segment, Rudder), ${s.posthogBatch} (PostHog).`);
  for (const mode of s.modes) {
    out.push('');
    out.push(mode === 'burst' ? '### Burst: every call in one synchronous loop' : '### Paced: the loop yields (`setImmediate`) every 100 calls');
    out.push('');
    out.push(markdownTable(run.rows, mode));
    out.push('');
    out.push(`Goal ratios (${mode}):`);
    out.push('');
    out.push(markdownRatios(run.rows, mode));
  }
  const notes = run.rows.filter((row) => Object.keys(row.errors).length > 0 || row.outputLines > 0 || row.timedOut > 0);
  if (notes.length > 0) {
    out.push('');
    out.push('What the libraries reported or printed during these runs:');
    out.push('');
    for (const row of notes) {
      const errors = Object.entries(row.errors).map(([code, n]) => `${code} × ${n}`).join(', ');
      const parts = [errors === '' ? '' : `errors: ${errors}`, row.outputLines > 0 ? `${row.outputLines} lines printed to the console` : '', row.timedOut > 0 ? `${row.timedOut} run(s) killed at the deadline` : ''].filter(Boolean);
      out.push(`- ${row.label}, ${row.mode}: ${parts.join('; ')}`);
    }
  }
  return out.join('\n');
}

const RATE_COLORS = ['#1f6feb', '#d1242f', '#2da44e', '#bf8700', '#8250df'];
// Percentiles placed by their "nines" (p90 → 1, p99 → 2, p99.9 → 3), so the tail gets the room.
const NINES = { p50: Math.log10(2), p90: 1, p99: 2, p99_9: 3, p99_99: 4 };

function serviceChart(service) {
  const keys = LATENCY_KEYS.filter((key) => key !== 'p99_99');
  const rows = service.rows;
  const rates = service.settings.rates;
  const yMax = Math.max(...rows.flatMap((row) => keys.map((key) => row.latency[key] ?? 0)));
  const line = (row, color, dash) => ({
    name: `${row.lib}-${row.rate}`,
    label: `${row.lib === 'none' ? 'no SDK' : 'with the SDK'}, ${row.rate.toLocaleString('en-US')} req/s`,
    color,
    dash,
    points: keys.map((key) => [NINES[key], row.latency[key]]),
  });
  const panels = service.settings.libs
    .filter((lib) => lib !== 'none')
    .map((lib) => ({
      title: serviceLabel(lib),
      xLabel: 'percentile',
      yLabel: 'response time',
      xTicks: keys.map((key) => ({ value: NINES[key], label: key.replace('_', '.') })),
      yFormat: (v) => `${Number(v.toPrecision(3))} ms`,
      yMax,
      yLog: true,
      series: rates.flatMap((rate, index) => {
        const color = RATE_COLORS[index % RATE_COLORS.length];
        const ours = rows.find((row) => row.lib === lib && row.rate === rate);
        const none = rows.find((row) => row.lib === 'none' && row.rate === rate);
        return [ours && line(ours, color, undefined), none && line(none, color, '6 4')].filter(Boolean);
      }),
    }));
  return renderChart({
    title: 'Response-time percentiles of a traced node:http service, per SDK (dashed: the same service without an SDK)',
    subtitle: `autocannon, ${service.settings.connections} connections, fixed rates; medians of ${service.settings.rounds} round(s); log scale. ${describeMachine(service.machine)}`,
    panels,
    columns: panels.length,
    panelWidth: 420,
  });
}

function serviceSection(service, burstCpu) {
  const s = service.settings;
  const out = [];
  out.push('## In a traced HTTP service: what each SDK adds per request');
  out.push('');
  out.push(
    `Produced by \`${service.command}\` on ${service.date.slice(0, 10)}; ${describeMachine(service.machine)}. A \`node:http\` service traced with the OpenTelemetry SDK makes one \`track\` call of ≈${s.size} B per request inside the request span; autocannon loads it at a fixed rate with ${s.connections} connections, ${s.warmSeconds} s of warm-up then ${s.seconds} s measured. ${s.rounds} round(s), the SDKs alternating within each; each figure is the median of the rounds, and **added** = the SDK's median minus the no-SDK service's median at the same rate in the same run. Loop delay: \`perf_hooks.monitorEventLoopDelay\` in the service over the measured window. The load average column is the 1-minute figure at the start of each measured window (range over the rounds).${describeLoad(service.load, service.machine.cores)}`,
  );
  out.push('');
  const rows = summarizeService(service.runs);
  out.push(markdownServiceTable(rows));
  out.push('');
  out.push(`Goal ratios (our burst CPU per event: ${burstCpu === undefined ? 'not measured' : formatMicros(burstCpu)}, from the burst table on this page):`);
  out.push('');
  out.push(markdownServiceGoals(rows, burstCpu));
  out.push('');
  out.push('');
  out.push('In parentheses after an added latency: its range when taken round by round, each SDK against the no-SDK run of the same round. Where the ranges of two SDKs overlap, this run does not separate them: take more rounds.');
  out.push('');
  out.push('![response-time percentiles per SDK](benchmarks-service.svg)');
  return out.join('\n');
}

function curvesSection(curves) {
  const out = [];
  const s = curves.settings;
  out.push('## Curves: message size and count');
  out.push('');
  out.push(`Produced by \`${curves.command}\` on ${curves.date.slice(0, 10)}; ${describeMachine(curves.machine)}. Mode ${s.mode}; medians of ${s.rounds} round(s) (${s.bigRounds} for 1 M calls). Before each measured client, a discarded client of the same library made ${formatCount(s.warm ?? 0)} calls, so these points show steady-state cost rather than V8 warming up (the table above starts cold); peak RSS includes that warm-up.${describeLoad(curves.load, curves.machine.cores)}`);
  out.push('');
  out.push('![time per call and events/s against message size and count](benchmarks-curves.svg)');
  out.push('');
  out.push('| curve | library | calls | size | time per call | all delivered | events/s | MB/s (JSON) | peak RSS | dup | lost |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const point of curves.series) {
    const megabytesPerSecond = point.eventsPerSecond === undefined ? '—' : ((point.eventsPerSecond * point.size) / 1e6).toFixed(1);
    out.push(
      `| ${point.curve} | ${LABELS[point.lib] ?? point.lib} | ${formatCount(point.count)} | ${sizeLabel(point.size)} | ${formatMicros(point.perCallMicros)} | ${formatSeconds(point.deliveredMillis)} | ${formatCount(point.eventsPerSecond)} | ${megabytesPerSecond} | ${formatMegabytes(point.peakRssBytes)} | ${point.duplicates} | ${point.lost} |`,
    );
  }
  return out.join('\n');
}

function profileTable(window, top) {
  const total = window.totalMicros;
  const lines = ['| # | self time | share | function | where |', '|---:|---:|---:|---|---|'];
  window.entries.slice(0, top).forEach((entry, index) => {
    lines.push(`| ${index + 1} | ${(entry.micros / 1000).toFixed(0)} ms | ${((100 * entry.micros) / total).toFixed(1)} % | \`${entry.name}\` | ${entry.file === '' ? '' : `\`${entry.file}\``} |`);
  });
  lines.push('');
  lines.push(`By part: ${window.categories.slice(0, 10).map((part) => `${part.name} ${((100 * part.micros) / total).toFixed(1)} %`).join(' · ')}`);
  return lines.join('\n');
}

function profileSection(profile) {
  const out = [];
  const s = profile.settings;
  out.push(`## Profile: ${LABELS[s.lib] ?? s.lib}, ${formatCount(s.count)} calls, ${s.mode}${profile.rounds > 1 ? `, ${profile.rounds} runs summed` : ''}`);
  out.push('');
  out.push(
    `Produced by \`${profile.command}\` on ${profile.date.slice(0, 10)} (\`node --cpu-prof\`; the profiler slows the run: median ${formatMicros(profile.run.perCallMicros)} per call, all delivered in ${formatSeconds(profile.run.deliveredMillis)}; ${profile.run.duplicates} duplicates, ${profile.run.lost} lost). Self time by function and file; builtins such as \`JSON.stringify\` count in the function that calls them. The .cpuprofile stays in bench/profiles/ (git-ignored).`,
  );
  out.push('');
  out.push(`### The call loop (${formatSeconds(profile.windows.callLoop.totalMicros / 1000)} sampled)`);
  out.push('');
  out.push(profileTable(profile.windows.callLoop, 15));
  out.push('');
  out.push(`### After the loop, until \`closeAndFlush()\` resolved: delivery (${formatSeconds(profile.windows.delivery.totalMicros / 1000)} sampled)`);
  out.push('');
  out.push(profileTable(profile.windows.delivery, 15));
  return out.join('\n');
}

const METHOD = `## How it is measured

- **Ingestion server** (\`bench/lib/server.mjs\`): \`node:http\` on 127.0.0.1, port 0, in the parent
  process. It speaks Segment's and MetaRouter's \`POST /v1/batch\` (\`{"batch":[…]}\`, also Rudder's),
  and PostHog's \`POST /batch/\` (\`{"api_key","batch":[…]}\`), gzip or not, answers 200 as soon as a
  body is read, and counts requests, bytes, messages and duplicates: by the generator's unique
  \`properties.seq\` (the figure shown) and by the library's own id (messageId / uuid) as a
  cross-check. Each run has its own path prefix, so nothing late from one run counts in another.
- **Generator** (\`bench/lib/generator.mjs\`): seeded PRNG (mulberry32), realistic \`track\` calls
  (\`userId\`, \`event\`, \`properties\` with order id, revenue, currency, plan, URL, …), ≈360 B of
  JSON by default, 100 B to 30 KB with \`--size\` (a \`products\` list and a \`note\` fill larger
  sizes). Every library gets the same sequence.
- **One process per run** (\`bench/lib/child.mjs\`, \`node --expose-gc\`): an AsyncLocalStorage
  context manager and a real \`BasicTracerProvider\`; every 100 calls run inside a fresh active span
  (a request). The harness is warmed up first, without any library. **Time per call** is the
  synchronous call loop divided by the calls (in paced mode, the time spent yielding is not
  counted). It is what the caller waits for: work a library defers to promises (Segment, PostHog)
  or to its flush runs after the loop, so compare **CPU per event** too: the process's CPU time
  (all threads, \`process.cpuUsage()\`) from the first call until the library's flush resolved,
  divided by the calls. **All delivered** runs from the first call until the server has seen every
  call's message at least once; **events/s** = calls / that time. **Peak RSS** is the child's
  \`process.resourceUsage().maxRSS\`. **Lost** = calls the server never saw. The run ends when the
  library's own flush/close resolves, so retried duplicates are counted too.
- **Configuration**: every library gets room for the whole burst (no drop by design), otherwise
  its defaults, with the batch sizes of the issue:

| library | configuration |
|---|---|
| metarouter-otel | \`new Analytics({ writeKey, host, flushAt: 700, maxQueueSize: count })\`: full default path (validation, snapshot, queued as serialized, span mark), 4 requests in flight, 10 s request timeout; \`closeAndFlush()\` at the end |
| metarouter-otel with a \`beforeSend\` redaction hook | the same, plus \`beforeSend\` masking \`properties.url\` (\`bench/drivers/metarouter-before-send.mjs\`): the cost of a typical hook |
| metarouter-otel without span marks | the same with \`spanEvents: false\` (\`bench/drivers/metarouter-no-marks.mjs\`): messages still carry the trace context, the span gets no event. The difference is what showing each call on the trace costs |
| metarouter-otel outside spans | the same, called outside any span (\`bench/drivers/metarouter-no-span.mjs\`): the harness starts and ends its span per 100 calls without making it active, so no message carries \`context.otel\` and nothing is marked. Sends the same bytes as the pre-serialized baseline but for the library name (\`metarouter-otel\` against \`bench-baseline\`, one byte more per message) |
| @segment/analytics-node | \`new Analytics({ writeKey, host, path, flushAt: 700 })\` (10 s request timeout, 10 retries); \`closeAndFlush()\` |
| posthog-node | \`new PostHog(key, { host, flushAt: 840, maxBatchSize: 840, maxQueueSize: count })\` (gzip, 10 s timeout); \`capture({ distinctId, event, properties })\`; \`shutdown()\` |
| @rudderstack/rudder-sdk-node | \`new Analytics(key, { dataPlaneUrl, flushAt: 700, maxInternalQueueSize: count })\` (gzip); \`flush()\` until its queue is empty. Each call re-serializes the whole queue, so its call loop stops at the time budget (\`--budget\`, 15 s) and the row says how many calls were made |
| pre-serialized baseline | each call \`JSON.stringify\`s its message once (with messageId and timestamp) and appends it to the request body; bodies cut at 480 KB, posted on an undici keep-alive \`Pool\`, 4 in flight. What a minimal client does on this machine |
| the same baseline, with the trace context | each message also carries \`context.otel\` (the active span's trace and span ids, read through the OTel API at the call), as ours do: the same bytes on the wire, so the ratio against it compares the SDKs' work, not their message sizes |
| \`logger.emit\` alone | the OTel SDK's \`LoggerProvider\` with a processor that does nothing, body = the call params: the SDK's share of a call |
| harness alone | generator and spans, no library: included in every row's time per call |

The child processes share two cores with the parent's server, as an app shares its machine with
the ingestion it talks to; run-to-run spread on such a machine is ±20 % or more, so read ratios
from one run rather than figures across runs.

### The service benchmark

- **The service** (\`bench/lib/service-process.mjs\`), one process per (rate, SDK) run: \`node:http\`
  on 127.0.0.1, port 0; an AsyncLocalStorage context manager and a \`BasicTracerProvider\` whose
  \`BatchSpanProcessor\` exports to a no-op exporter; every request runs in an active server span
  and makes one \`track\` call (the generator's, ≈360 B) through the SDK under test, then answers
  \`{"ok":true}\`. Every SDK runs at its defaults, with only the endpoint set (metarouter-otel:
  flushAt 500; Segment: flushAt 15; PostHog: flushAt 20). The no-SDK service builds the same params
  and calls nothing.
- **Load** (\`bench/lib/load-process.mjs\`): autocannon in a process of its own on the same machine
  (as the issue measured), apart from the ingestion server so that decoding the SDKs' batches never
  delays its timing; a fixed overall rate over 50 keep-alive connections: a warm-up (not counted),
  then the measured window. Response times are autocannon's, in whole
  milliseconds, without its coordinated-omission correction (which assumes one request per
  millisecond per connection, not this schedule).
- **CPU per request**: the service process's CPU time (\`process.cpuUsage()\`, user + system, all
  threads) over the measured window, divided by the requests it served. It counts the SDK's
  deferred work (batching, sending, GC) as well as the call itself. **Peak RSS**: the service's
  \`maxRSS\` at its end. **Loop delay**: \`monitorEventLoopDelay\` (5 ms resolution) over the window.
- **Loss and duplicates**: after the window, the service flushes its SDK; the ingestion server
  counts every call's unique \`properties.seq\`. Every run checks them.
- **Rounds**: five by default, SDKs alternating within each and the first SDK rotating between
  rounds, so a burst of load from another process hits different SDKs in different rounds; medians
  of five discard two disturbed rounds per figure. On a shared machine the CPU per request of one
  run varies by ±10 µs and the tail percentiles of a single 10 s window by tens of milliseconds;
  three rounds did not place our added CPU within its goal's margin. Read **added** figures, which
  compare runs made minutes apart on the same machine, rather than absolute ones.
- **Calibration** (\`node bench/service.mjs --only none,busy\`): a service that burns a fixed 25 µs
  of CPU per request and calls no SDK: what the harness makes of a known cost. In a 5-round run on
  2026-11-30 it showed +33 µs of added CPU at 2,000 req/s and +32 µs at 1,000 (more than the 25 µs
  it burns), added p99 +2 and +3 ms, added loop delay p99 +1.2 and +1.3 ms, and p50 1 → 3 ms and
  2 → 4 ms: on this machine any added work moves the median response by a millisecond or two, as
  every SDK's row shows.
- **Re-running the table**: \`npm run bench -- --only service\` (or \`npm run bench\` for both
  tables) rewrites bench/results/service.json and this page; the load average column shows how
  quiet the machine was.`;

function coldStartSection(cold) {
  const s = cold.settings;
  const out = ['## Cold start: what a new process pays', ''];
  out.push(`Produced by \`${cold.command}\` on ${cold.date.slice(0, 10)}; ${describeMachine(cold.machine)}.${describeLoad(cold.load, cold.machine.cores)}`);
  if (cold.startRows.length > 0) {
    out.push('', `### Load, and process start to the first delivered batch (${s.samples} fresh processes per SDK, \`${s.via}\`)`, '');
    out.push('Each sample is a new process that loads one SDK, makes a client at its defaults but the host, makes one `track` call and awaits `flush()`; SDKs alternate. "start → first batch" runs from the process\'s start (`performance.timeOrigin`) to the moment the loopback server has the batch; "CPU until flushed" is the process\'s CPU time (user + system) from its start until `flush()` resolved, which other processes on the machine inflate less than the wall-clock columns.', '');
    out.push(markdownStartTable(cold.startRows));
  }
  if (cold.serviceRows.length > 0) {
    out.push('', `### CPU in the first ${s.windowMillis / 1000} s of a traced service (${s.rounds} rounds, ${s.rate} requests/s)`, '');
    out.push('The service of the table above, each SDK at its defaults, loaded at a fixed rate from the moment it listens; the CPU (user + system) the process spent from its start until the window ended: loading, warming up and serving. "added" is the median minus the no-SDK service\'s median of the same run.', '');
    out.push(markdownFirstSecondsTable(cold.serviceRows));
  }
  return out.join('\n');
}

function runtimesSection(runtimes) {
  const s = runtimes.settings;
  const out = [`## On Bun and Deno: ${formatCount(s.count)} \`track\` calls of ≈${s.size} B, beside Node`, ''];
  out.push(`Produced by \`${runtimes.command}\` on ${runtimes.date.slice(0, 10)}; ${describeMachine(runtimes.machine)}; ${Object.values(s.runtimes).join(', ')}, the binaries of their npm packages. The same harness and loopback server as the table above, the child process run by each runtime; medians of ${s.rounds} round(s).${describeLoad(runtimes.load, runtimes.machine.cores)} On Bun the library sends with the runtime's \`fetch\` (Bun's \`undici\` does not send); on Node and Deno, with undici.`);
  for (const mode of s.modes) {
    out.push('', mode === 'burst' ? '### Burst' : '### Paced (the loop yields every 100 calls)', '', markdownTable(runtimes.rows, mode));
  }
  return out.join('\n');
}

/** Regenerates docs/benchmarks.md and docs/benchmarks-curves.svg from bench/results/. */
export function writeDocs() {
  const run = load('run.json');
  const curves = load('curves.json');
  const profile = load('profile.json');
  const service = load('service.json');
  const bridge = load('bridge.json');
  const cold = load('cold-start.json');
  const runtimes = load('runtimes.json');
  const parts = [
    '# Benchmarks',
    '',
    '<!-- Generated by `node bench/write-docs.mjs` from bench/results/*.json: edit the scripts in bench/, not this file. -->',
    '',
    'metarouter-otel raced against `@segment/analytics-node`, `posthog-node`, `@rudderstack/rudder-sdk-node`',
    'and a pre-serialized baseline, each delivering to the same loopback ingestion server.',
    '',
    '```sh',
    'npm run bench                        # build, install bench/ dependencies, the burst and service tables (≈15 min on 2 cores)',
    'npm run bench -- --only service      # one part: burst, service or bridge',
    'node bench/bridge-throughput.mjs --queues-only --rounds 1   # the bridge on memory, spool and PostgreSQL, a quick look',
    'node bench/run.mjs --count 10k --rounds 1 --only metarouter,baseline   # a quick look',
    'node bench/service.mjs --rounds 1 --rates 2000 --only none,metarouter  # a quick look at the service',
    'node bench/service.mjs --only metarouter --rounds 1 --cpu-prof        # profile the service under load',
    'node bench/run.mjs --only metarouter --runtimes node,bun,deno --results runtimes   # our rows on Bun and Deno',
    'node bench/cold-start.mjs             # fresh processes: load, start to first batch, CPU of a service\'s first 10 s',
    'node bench/call-tail.mjs --lib-dir build-a --compare dist            # track() call-time tail, two builds',
    'node bench/call-cpu.mjs build-a dist                                 # CPU per traced request each build adds, one process',
    'node bench/service-ab.mjs dist \'dist:{"spanEvents":false}\'         # the same inside one loaded service process, variants in turns',
    'node bench/curves.mjs                # the size and count curves',
    'node bench/profile.mjs               # CPU profile of our burst, top self-time functions',
    'node bench/write-docs.mjs            # this page, from the stored results',
    '```',
  ];
  if (run !== undefined) parts.push('', runSection(run));
  if (service !== undefined) {
    writeFileSync(path.join(REPO_DIR, 'docs', 'benchmarks-service.svg'), serviceChart(service));
    const burstCpu = run?.rows.find((row) => row.lib === 'metarouter' && row.mode === 'burst')?.cpuPerCallMicros;
    parts.push('', serviceSection(service, burstCpu));
  }
  if (runtimes !== undefined) parts.push('', runtimesSection(runtimes));
  if (cold !== undefined) parts.push('', coldStartSection(cold));
  if (curves !== undefined) {
    writeFileSync(path.join(REPO_DIR, 'docs', 'benchmarks-curves.svg'), chart(curves));
    parts.push('', curvesSection(curves));
  }
  if (profile !== undefined) parts.push('', profileSection(profile));
  if (bridge?.queues !== undefined) parts.push('', bridgeSection(bridge));
  parts.push('', METHOD, '');
  writeFileSync(path.join(REPO_DIR, 'docs', 'benchmarks.md'), parts.join('\n'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeDocs();
  process.stdout.write('wrote docs/benchmarks.md\n');
}
