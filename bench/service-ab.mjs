#!/usr/bin/env node
// What builds (or option sets) of metarouter-otel add to a traced node:http service's CPU per
// request, compared inside one service process under one steady load: the service's handler calls
// one variant at a time ("none" calls nothing) and the variant changes every window, in turns. Each
// window's CPU time (process.cpuUsage) is divided by the requests it served; a variant's added CPU is
// its median minus the median of "none". Between processes, the same service varies by ±10 µs per
// request (bench/service.mjs needs 5 rounds); within one, the windows share its heap, its code and
// its place on the machine, so differences of a few µs show. A window also carries some of the
// previous variant's deferred sends: the rotation spreads that over all variants alike.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGenerator } from './lib/generator.mjs';
import { setupServiceTracing } from './lib/service-tracing.mjs';
import { BENCH_DIR, REPO_DIR } from './lib/options.mjs';
import { startIngestionServer, summarize } from './lib/server.mjs';
import { median } from './lib/summary.mjs';

const USAGE = `node bench/service-ab.mjs [flags] VARIANT...
  VARIANT          a build directory relative to the repository (e.g. dist), optionally with
                   options as JSON after a colon: 'dist:{"spanEvents":false}'
  --rate N         requests per second (default 1000)
  --seconds S      load duration (default 90)
  --window MS      milliseconds per window (default 3000); the first two rotations are discarded
  --cpu-prof       write a V8 CPU profile of the service process to bench/profiles/
`;
const LOAD = fileURLToPath(new URL('./lib/load-process.mjs', import.meta.url));
const BODY = '{"ok":true}';

async function service({ variants, url, windowMillis }) {
  const { api, tracer, provider } = setupServiceTracing(variants[0].libDir, 'bench-service-ab');
  const require = createRequire(import.meta.url);
  const clients = [undefined, ...variants.map(({ libDir, options }) => new (require(path.join(libDir, 'index.js')).Analytics)({ writeKey: 'bench-write-key', host: url, ...options }))];
  const generator = createGenerator({ seed: 11, size: 360 });
  const micros = clients.map(() => []);
  let seq = 0;
  let current = 0;
  let window = { cpu: process.cpuUsage(), seq: 0 };
  let windows = 0;
  const server = createServer((request, response) => {
    tracer.startActiveSpan('GET /checkout', { kind: api.SpanKind.SERVER }, (span) => {
      request.resume();
      const params = generator.next(seq++);
      clients[current]?.track(params);
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
      response.end(BODY);
      span.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const rotate = setInterval(() => {
    const cpu = process.cpuUsage(window.cpu);
    const requests = seq - window.seq;
    // The first two rotations warm every variant up.
    if (windows >= 2 * clients.length && requests > 0) micros[current].push((cpu.user + cpu.system) / requests);
    windows++;
    // Each rotation starts one variant further, so no variant always follows the same one.
    current = (windows + Math.floor(windows / clients.length)) % clients.length;
    window = { cpu: process.cpuUsage(), seq };
  }, windowMillis);
  process.send({ type: 'ready', port: server.address().port });
  await new Promise((resolve) => process.once('message', resolve));
  clearInterval(rotate);
  server.closeAllConnections();
  server.close();
  const made = [];
  for (const client of clients.slice(1)) {
    await client.closeAndFlush({ timeout: 60_000 });
    made.push(client.counters.accepted);
  }
  await provider.shutdown();
  return { micros, made };
}

if (process.argv[2] === '--child') {
  const result = await service(JSON.parse(process.argv[3]));
  process.send({ type: 'result', ...result }, () => process.exit(0));
} else {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rate: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '90' },
      window: { type: 'string', default: '3000' },
      'cpu-prof': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const [rate, seconds, windowMillis] = [values.rate, values.seconds, values.window].map((value) => Number.parseInt(value, 10));
  if (!(rate > 0) || !(seconds > 0) || !(windowMillis > 0)) throw new Error('--rate, --seconds and --window take positive integers');
  const variants = positionals.map((text) => {
    const colon = text.indexOf(':');
    const dir = colon < 0 ? text : text.slice(0, colon);
    return { name: text, libDir: path.resolve(REPO_DIR, dir), options: colon < 0 ? {} : JSON.parse(text.slice(colon + 1)) };
  });
  const ingestion = await startIngestionServer();
  try {
    const runId = ingestion.beginRun();
    const child = fork(fileURLToPath(import.meta.url), ['--child', JSON.stringify({ variants, url: ingestion.url(runId), windowMillis })], { execArgv: values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.join(BENCH_DIR, 'profiles')}`] : [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, NODE_ENV: 'production' } });
    const messages = [];
    const waitFor = (type) =>
      new Promise((resolve, reject) => {
        const found = messages.find((message) => message.type === type);
        if (found !== undefined) return resolve(found);
        child.on('message', (message) => message.type === type && resolve(message));
        child.on('exit', (code) => reject(new Error(`the service ended with exit code ${code}`)));
      });
    child.on('message', (message) => messages.push(message));
    const { port } = await waitFor('ready');
    const loader = fork(LOAD, [JSON.stringify({ url: `http://127.0.0.1:${port}/checkout`, rate, connections: 50, seconds })], { stdio: 'ignore' });
    await new Promise((resolve) => loader.on('exit', resolve));
    child.send({ type: 'stop' });
    const result = await waitFor('result');
    const none = median(result.micros[0]);
    process.stdout.write(`${rate} req/s for ${seconds} s, windows of ${windowMillis} ms; none: ${none.toFixed(1)} µs CPU per request (${result.micros[0].length} windows)\n\n| variant | windows | CPU per request | added |\n|---|---:|---:|---:|\n`);
    for (const [i, variant] of variants.entries()) {
      const own = median(result.micros[i + 1]);
      process.stdout.write(`| ${variant.name} | ${result.micros[i + 1].length} | ${own.toFixed(1)} µs | ${(own - none).toFixed(1)} µs |\n`);
    }
    const made = result.made.reduce((sum, count) => sum + count, 0);
    for (let waited = 0; ingestion.current.unique < made && waited < 3000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    const counted = summarize(ingestion.current);
    process.stdout.write(`\nall variants: ${made} calls, lost ${made - counted.unique}, duplicates ${counted.duplicates}\n`);
  } finally {
    await ingestion.close();
  }
}
