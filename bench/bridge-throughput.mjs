// OTLP/HTTP bridge throughput and memory, on loopback only, in about 90 s (stopped at 170 s).
//
//   npm run build && node bench/bridge-throughput.mjs [--dist DIR] [--rounds N] [--queues-only] [--queues a,b] [--cpu-prof] [--pg-url URL]
//
// Request bodies are made by the official OpenTelemetry exporters (exporter-logs-otlp-proto,
// exporter-logs-otlp-http, exporter-trace-otlp-proto) from records of the real SDK, captured once
// and replayed. Three measures, each printed as a table:
//   1. decode + translate in process: the bridge's decoder and the otel readers, no HTTP; analytics
//      events per second on one core, best of three one-second rounds.
//   2. through HTTP: a bridge in a child process (delivery disabled: it validates and translates,
//      then discards), fed by this process at 8 requests in flight.
//   3. memory per in-flight request: 8 large requests at once into a fresh bridge child; its peak
//      RSS and heap+external above idle, divided by 8.
//   4. one bridge, delivery to the bench's ingestion server included, on each queue: in memory, a
//      local spool, PostgreSQL (a server the bench starts, or --pg-url); OTLP protobuf and JSON,
//      100 records a request; ratios to memory from the same run, where the CPU goes (bridge,
//      PostgreSQL, its WAL fsyncs), and on paper the cores that carry 1 M events/s
//      (lib/bridge-queues.mjs). --rounds N rounds of it (default 3), medians; --queues-only skips 1–3.
// The results go to bench/results/bridge.json and docs/benchmarks.md. A partial run (--queues-only,
// --queues a,b) or a profiled one (--cpu-prof: each bridge child of section 4 writes a .cpuprofile
// to bench/profiles/, to read with `node bench/profile.mjs --read FILE`) only prints.
import { fork } from 'node:child_process';
import { Agent, createServer, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { compareQueues, fleetFor, ID_MARKER, QUEUES, queueTable, RECORDS_PER_REQUEST as QUEUE_RECORDS } from './lib/bridge-queues.mjs';
import { parseInteger } from './lib/options.mjs';
import { saveResults } from './lib/results.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(import.meta.url);
const { values: flags } = parseArgs({
  args: process.argv.slice(process.argv[2] === 'bridge-child' ? 3 : 2),
  options: {
    dist: { type: 'string', default: 'dist' },
    rounds: { type: 'string', default: '3' },
    'queues-only': { type: 'boolean', default: false },
    queues: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'pg-url': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(`node bench/bridge-throughput.mjs [flags]
  --dist DIR       the built package (default dist)
  --rounds N       rounds of the queue comparison, medians (default 3)
  --queues-only    only the queue comparison (memory, local spool, PostgreSQL)
  --queues a,b     only these queues (memory, spool, postgres)
  --cpu-prof       a .cpuprofile of each bridge child of the comparison, in bench/profiles/
  --pg-url URL     this database instead of a PostgreSQL the bench starts
  A partial or profiled run prints only; a full one writes bench/results/bridge.json and docs/benchmarks.md.
`);
  process.exit(0);
}
const DIST = resolve(here, '..', flags.dist);
const PHASE_MILLIS = 2500;
const TIME_LIMIT_MILLIS = 170_000;
const RECORDS_PER_REQUEST = 500;
const SPANS_PER_REQUEST = 100;
const EVENTS_PER_SPAN = 5;

// ---------------------------------------------------------------- request bodies, by the official exporters
function analyticsAttributes(i, withIds) {
  return {
    ...(withIds && { 'analytics.message_id': `${ID_MARKER}-${i}` }),
    'analytics.user_id': `user-${i % 997}`,
    'analytics.event': ['Order Completed', 'Product Viewed', 'Signed Up'][i % 3],
    'analytics.properties': JSON.stringify({ orderId: `o-${i}`, total: (i % 500) + 0.99, currency: 'EUR', products: [{ sku: `SKU-${i % 50}`, quantity: 1 + (i % 3) }] }),
    'analytics.properties.coupon': i % 4 === 0 ? 'SPRING' : 'NONE',
    'analytics.context': JSON.stringify({ ip: '203.0.113.9', locale: 'en-US', userAgent: 'Mozilla/5.0 (bench)' }),
  };
}

/** Runs `exporter.export(items)` against a capturing loopback server; resolves with the body it sent. */
async function capture(makeExporter, items) {
  let body;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk)).on('end', () => {
      body = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': req.headers['content-type'] }).end();
    });
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const exporter = makeExporter(`http://127.0.0.1:${server.address().port}`);
  await new Promise((done) => exporter.export(items, done));
  await exporter.shutdown();
  await new Promise((done) => server.close(done));
  return body;
}

/** Bodies of `records` log records and `spans` spans; `withIds`: each record's messageId holds ID_MARKER. */
async function makeBodies(records = RECORDS_PER_REQUEST, spans = SPANS_PER_REQUEST, withIds = false) {
  const { LoggerProvider, SimpleLogRecordProcessor, InMemoryLogRecordExporter } = require('@opentelemetry/sdk-logs');
  const { BasicTracerProvider, SimpleSpanProcessor, InMemorySpanExporter } = require('@opentelemetry/sdk-trace-base');
  const { OTLPLogExporter: ProtoLogs } = require('@opentelemetry/exporter-logs-otlp-proto');
  const { OTLPLogExporter: JsonLogs } = require('@opentelemetry/exporter-logs-otlp-http');
  const { OTLPTraceExporter: ProtoTraces } = require('@opentelemetry/exporter-trace-otlp-proto');
  const { context, trace } = require('@opentelemetry/api');

  const keptLogs = new InMemoryLogRecordExporter();
  const logger = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: keptLogs })] }).getLogger('bench');
  const inSpan = trace.setSpanContext(context.active(), { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', traceFlags: 1 });
  for (let i = 0; i < records; i++) logger.emit({ eventName: 'analytics.track', context: inSpan, attributes: analyticsAttributes(i, withIds) });

  const keptSpans = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(keptSpans)] }).getTracer('bench');
  for (let s = 0; s < spans; s++) {
    const span = tracer.startSpan('POST /checkout', { attributes: { 'http.method': 'POST', 'http.route': '/checkout', 'http.status_code': 200 } });
    for (let e = 0; e < EVENTS_PER_SPAN; e++) span.addEvent('analytics.track', analyticsAttributes(s * EVENTS_PER_SPAN + e));
    span.end();
  }
  const logRecords = keptLogs.getFinishedLogRecords();
  const finishedSpans = keptSpans.getFinishedSpans();
  const options = (url, path) => ({ url: `${url}${path}`, timeoutMillis: 30_000 });
  return {
    logsProtobuf: await capture((url) => new ProtoLogs(options(url, '/v1/logs')), logRecords),
    logsJson: await capture((url) => new JsonLogs(options(url, '/v1/logs')), logRecords),
    tracesProtobuf: await capture((url) => new ProtoTraces(options(url, '/v1/traces')), finishedSpans),
  };
}

// ---------------------------------------------------------------- the bridge, in a child process
/** BENCH_BRIDGE_OPTIONS (JSON) replaces the default options, which disable delivery. */
async function runChild() {
  const { startBridge } = require(`${DIST}/index.js`);
  const given = process.env.BENCH_BRIDGE_OPTIONS;
  const options = given === undefined ? { host: 'http://127.0.0.1:9', writeKey: 'bench-key', disable: true } : JSON.parse(given);
  let bridge;
  try {
    bridge = await startBridge({ port: 0, ...options });
  } catch (error) {
    process.send({ error: `${error.code ?? error.name}: ${error.message}` });
    process.disconnect();
    return;
  }
  const idleMemory = () => {
    globalThis.gc?.();
    const { rss, heapUsed, external } = process.memoryUsage();
    return { rss, heap: heapUsed + external };
  };
  let peak = idleMemory();
  setInterval(() => {
    const { rss, heapUsed, external } = process.memoryUsage();
    peak = { rss: Math.max(peak.rss, rss), heap: Math.max(peak.heap, heapUsed + external) };
  }, 2).unref();
  process.on('message', (command) => {
    if (command === 'idle') process.send({ idle: (peak = idleMemory()) });
    if (command === 'cpu') process.send({ cpu: ((usage) => (usage.user + usage.system) / 1e6)(process.cpuUsage()) });
    if (command === 'peak') process.send({ peak, counters: { ...bridge.counters, delivery: undefined } });
    if (command === 'stop') void bridge.close(1000).then(() => process.exit(0));
  });
  process.send({ port: bridge.port });
}

// ---------------------------------------------------------------- measures
function timeLoop(work, millis) {
  let rounds = 0;
  const started = performance.now();
  do {
    work();
    rounds++;
  } while (performance.now() - started < millis);
  return { rounds, seconds: (performance.now() - started) / 1000 };
}

async function inProcess(bodies) {
  const { decodeRequest } = require(`${DIST}/receiver/otlp-codec.js`);
  const { readOtlpLogs } = require(`${DIST}/receiver/otlp/read-otlp-logs.js`);
  const { readOtlpTraces } = require(`${DIST}/receiver/otlp/read-otlp-traces.js`);
  const key = JSON.stringify('bench-key');
  const cases = [
    ['logs, protobuf', bodies.logsProtobuf, RECORDS_PER_REQUEST, () => readOtlpLogs(decodeRequest('logs', 'protobuf', bodies.logsProtobuf), key, [0, 0])],
    ['logs, JSON', bodies.logsJson, RECORDS_PER_REQUEST, () => readOtlpLogs(decodeRequest('logs', 'json', bodies.logsJson), key, [0, 0])],
    ['traces, protobuf', bodies.tracesProtobuf, SPANS_PER_REQUEST * EVENTS_PER_SPAN, () => readOtlpTraces(decodeRequest('traces', 'protobuf', bodies.tracesProtobuf), key, [0, 0])],
  ];
  const rows = [];
  for (const [name, body, events, work] of cases) {
    if (work().messages.length !== events) throw new Error(`${name}: expected ${events} messages`);
    timeLoop(work, 300); // warm-up, not counted
    // Best of three one-second rounds: other processes on the machine only ever slow a round down.
    const { rounds, seconds } = [timeLoop(work, 1000), timeLoop(work, 1000), timeLoop(work, 1000)].sort((a, b) => b.rounds / b.seconds - a.rounds / a.seconds)[0];
    rows.push({ input: name, 'events/request': events, 'body KiB': (body.length / 1024).toFixed(0), 'events/s': Math.round((rounds * events) / seconds), 'µs/event': ((seconds * 1e6) / (rounds * events)).toFixed(2) });
  }
  return rows;
}

function startChild(options, name) {
  const env = options === undefined ? process.env : { ...process.env, BENCH_BRIDGE_OPTIONS: JSON.stringify(options) };
  const profile = options !== undefined && flags['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(here, 'profiles'), '--cpu-prof-name', `bridge-${name}-${Date.now()}.cpuprofile`] : [];
  const child = fork(fileURLToPath(import.meta.url), ['bridge-child', '--dist', DIST], { execArgv: ['--expose-gc', ...profile], env });
  const next = () => new Promise((done) => child.once('message', done));
  const exited = new Promise((done) => child.once('exit', done));
  // A child that died is told by `exited` and a missing answer, not by an EPIPE thrown here.
  child.on('error', () => undefined);
  return { child, next, ready: next(), exited };
}

function send(agent, port, path, body, headers) {
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-length': body.length, ...headers } }, (res) => {
      res.resume().on('end', () => (res.statusCode === 200 ? done() : fail(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', fail).end(body);
  });
}
async function overHttp(bodies) {
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 8 });
  const bridge = startChild();
  const { port } = await bridge.ready;
  const protobuf = { 'content-type': 'application/x-protobuf' };
  const cases = [
    ['logs, protobuf', '/v1/logs', bodies.logsProtobuf, protobuf, RECORDS_PER_REQUEST],
    ['logs, protobuf + gzip', '/v1/logs', gzipSync(bodies.logsProtobuf), { ...protobuf, 'content-encoding': 'gzip' }, RECORDS_PER_REQUEST],
    ['logs, JSON', '/v1/logs', bodies.logsJson, { 'content-type': 'application/json' }, RECORDS_PER_REQUEST],
    ['traces, protobuf', '/v1/traces', bodies.tracesProtobuf, protobuf, SPANS_PER_REQUEST * EVENTS_PER_SPAN],
  ];
  const rows = [];
  /** Requests completed in `millis` with 8 in flight. */
  const load = async (path, body, headers, millis) => {
    let requests = 0;
    const started = performance.now();
    const worker = async () => {
      while (performance.now() - started < millis) {
        await send(keepAlive, port, path, body, headers);
        requests++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return { requests, seconds: (performance.now() - started) / 1000 };
  };
  for (const [name, path, body, headers, events] of cases) {
    await load(path, body, headers, 500); // warm-up, not counted
    const { requests, seconds } = await load(path, body, headers, PHASE_MILLIS);
    rows.push({ input: name, 'wire KiB': (body.length / 1024).toFixed(0), 'requests/s': Math.round(requests / seconds), 'events/s': Math.round((requests * events) / seconds) });
  }
  bridge.child.send('peak');
  const { counters } = await bridge.next();
  bridge.child.send('stop');
  keepAlive.destroy();
  return { rows, counters };
}

async function memoryPerRequest() {
  const inFlight = 8;
  const records = 4000;
  const large = await makeBodies(records, 1);
  const rows = [];
  for (const [name, body, headers] of [
    ['logs, protobuf', large.logsProtobuf, { 'content-type': 'application/x-protobuf' }],
    ['logs, JSON', large.logsJson, { 'content-type': 'application/json' }],
  ]) {
    const bridge = startChild();
    const { port } = await bridge.ready;
    const agent = new Agent({ keepAlive: false, maxSockets: inFlight });
    bridge.child.send('idle');
    const { idle } = await bridge.next();
    await Promise.all(Array.from({ length: inFlight }, () => send(agent, port, '/v1/logs', body, headers)));
    bridge.child.send('peak');
    const { peak } = await bridge.next();
    bridge.child.send('stop');
    rows.push({
      input: `${name}, ${records} records`,
      'body MiB': (body.length / 2 ** 20).toFixed(1),
      'in flight': inFlight,
      'RSS MiB/request': ((peak.rss - idle.rss) / inFlight / 2 ** 20).toFixed(1),
      'heap+external MiB/request': ((peak.heap - idle.heap) / inFlight / 2 ** 20).toFixed(1),
      'heap ÷ body': ((peak.heap - idle.heap) / inFlight / body.length).toFixed(1),
    });
  }
  return rows;
}

async function main() {
  const started = performance.now();
  setTimeout(() => {
    console.error(`stopped: over the ${TIME_LIMIT_MILLIS / 1000} s limit`);
    process.exit(1);
  }, TIME_LIMIT_MILLIS).unref();
  console.log(`metarouter-otel bridge benchmark — Node ${process.version}, ${(await import('node:os')).cpus()[0]?.model ?? 'cpu'}; built package: ${pathToFileURL(DIST)}`);
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const rounds = parseInteger(flags.rounds, 'rounds', 1, 20);
  const sections = flags['queues-only'] ? {} : await classicSections(elapsed);
  console.log(`\n4. one bridge, delivery to the bench sink included: memory, local spool, PostgreSQL (${rounds} rounds, medians; 8 requests in flight, ${QUEUE_RECORDS} records a request)`);
  const unique = await makeBodies(QUEUE_RECORDS, 1, true);
  const only = flags.queues?.split(',').map((name) => name.trim());
  for (const name of only ?? []) if (!QUEUES.includes(name)) throw new Error(`--queues: unknown queue "${name}" (${QUEUES.join(', ')})`);
  const queues = await compareQueues({ startChild, bodies: { protobuf: unique.logsProtobuf, json: unique.logsJson }, rounds, phaseMillis: PHASE_MILLIS, pgUrl: flags['pg-url'], queues: only });
  console.log(`   PostgreSQL: ${queues.postgres}`);
  console.table(queueTable(queues.rows));
  const fleet = fleetFor(queues.rows);
  if (fleet.length > 0) {
    console.log('   on paper, from the per-core rates above: cores for 1 M events/s (bridges scale out; one primary takes every commit)');
    console.table(fleet);
  }
  console.log(`(${elapsed()})`);
  if (flags['queues-only'] || only !== undefined || flags['cpu-prof']) console.log('(a partial or profiled run: bench/results/bridge.json is left as it was)');
  else saveResults('bridge-throughput.mjs', 'bridge', { ...sections, queues, fleet });
}

/** Sections 1–3: decode in process, through HTTP without delivery, memory per request. */
async function classicSections(elapsed) {
  const bodies = await makeBodies();
  console.log(`request bodies made by the official exporters (${elapsed()})`);
  console.log('\n1. decode + translate, in process (one core)');
  const decode = await inProcess(bodies);
  console.table(decode);
  console.log(`(${elapsed()})`);
  console.log('\n2. through HTTP: bridge in a child process, delivery disabled, 8 requests in flight');
  const http = await overHttp(bodies);
  console.table(http.rows);
  console.log(`   bridge counters: ${JSON.stringify(http.counters)} (${elapsed()})`);
  console.log('\n3. memory per in-flight request (8 at once, into a fresh bridge)');
  const memory = await memoryPerRequest();
  console.table(memory);
  console.log(`(${elapsed()})`);
  return { decode, http: http.rows, memory };
}

if (process.argv[2] === 'bridge-child') await runChild();
else await main();
