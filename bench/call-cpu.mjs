#!/usr/bin/env node
// CPU time that builds of metarouter-otel add to a traced request, compared inside one process:
// a traced handler loop (one track() per "request", one request per turn of the loop, delivery to
// the loopback ingestion server in another process) runs in short blocks, and the blocks take
// turns between the builds and a loop without the call ("none"). Each block's CPU time
// (process.cpuUsage) is divided by its requests; a build's added CPU is its median minus the
// median of "none". Taking turns block by block spreads what the machine's other work does to the
// timings over every build alike: the ratios between builds are the figures to read.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createGenerator } from './lib/generator.mjs';
import { setupServiceTracing } from './lib/service-tracing.mjs';
import { REPO_DIR } from './lib/options.mjs';
import { startIngestionServer, summarize } from './lib/server.mjs';
import { median } from './lib/summary.mjs';

const USAGE = `node bench/call-cpu.mjs [flags] BUILD...
  BUILD            a build directory relative to the repository (e.g. dist)
  --block N        requests per block (default 2000)
  --rounds N       blocks per build, after 3 discarded (default 30)
`;

async function child({ libDirs, urls, block, rounds }) {
  const { api, tracer, provider } = setupServiceTracing(path.join(REPO_DIR, 'dist'), 'bench-call-cpu');
  const require = createRequire(import.meta.url);
  const variants = [{ name: 'none', analytics: undefined }];
  libDirs.forEach((libDir, i) => variants.push({ name: libDir, analytics: new (require(path.join(libDir, 'index.js')).Analytics)({ writeKey: 'bench-write-key', host: urls[i] }) }));
  const generator = createGenerator({ seed: 7, size: 360 });
  const micros = Object.fromEntries(variants.map(({ name }) => [name, []]));
  let seq = 0;
  for (let round = 0; round < rounds + 3; round++) {
    // The order turns each round, so no variant always follows the same one.
    for (let k = 0; k < variants.length; k++) {
      const { name, analytics } = variants[(round + k) % variants.length];
      const start = process.cpuUsage();
      for (let i = 0; i < block; i++, seq++) {
        tracer.startActiveSpan('GET /checkout', { kind: api.SpanKind.SERVER }, (span) => {
          const params = generator.next(seq);
          analytics?.track(params);
          span.end();
        });
        await nextTurn();
      }
      const cpu = process.cpuUsage(start);
      if (round >= 3) micros[name].push((cpu.user + cpu.system) / block);
    }
  }
  const made = [];
  for (const { analytics } of variants.slice(1)) {
    await analytics.closeAndFlush({ timeout: 60_000 });
    made.push(analytics.counters.accepted);
  }
  await provider.shutdown();
  return { micros, made };
}

if (process.argv[2] === '--child') {
  const result = await child(JSON.parse(process.argv[3]));
  process.send(result, () => process.exit(0));
} else {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { block: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '30' }, help: { type: 'boolean', default: false } },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const block = Number.parseInt(values.block, 10);
  const rounds = Number.parseInt(values.rounds, 10);
  if (!(block > 0) || !(rounds > 0)) throw new Error('--block and --rounds take positive integers');
  const server = await startIngestionServer();
  try {
    // One ingestion run for all builds: every request has its own seq, so losses and duplicates
    // are counted over the builds together.
    const runId = server.beginRun();
    const spec = { libDirs: positionals.map((dir) => path.resolve(REPO_DIR, dir)), urls: positionals.map(() => server.url(runId)), block, rounds };
    const result = await new Promise((resolve, reject) => {
      const proc = fork(fileURLToPath(import.meta.url), ['--child', JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      let message;
      proc.on('message', (received) => (message = received));
      proc.on('exit', (code) => (message === undefined ? reject(new Error(`the run ended with exit code ${code}`)) : resolve(message)));
    });
    const none = median(result.micros.none);
    const first = spec.libDirs[0];
    const added = (dir) => median(result.micros[dir]) - none;
    process.stdout.write(`${rounds} blocks of ${block} requests per build; none: ${none.toFixed(2)} µs CPU per request\n\n| build | CPU per request | added | ratio to ${positionals[0]} |\n|---|---:|---:|---:|\n`);
    const made = result.made.reduce((sum, count) => sum + count, 0);
    for (let waited = 0; server.current.unique < made && waited < 3000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    const counted = summarize(server.current);
    for (const [i, dir] of spec.libDirs.entries()) {
      process.stdout.write(`| ${positionals[i]} | ${median(result.micros[dir]).toFixed(2)} µs | ${added(dir).toFixed(2)} µs | ${(added(dir) / added(first)).toFixed(3)} |\n`);
    }
    process.stdout.write(`\nall builds: ${made} calls, lost ${made - counted.unique}, duplicates ${counted.duplicates}\n`);
  } finally {
    await server.close();
  }
}
