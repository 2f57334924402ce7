#!/usr/bin/env node
// The service benchmark: what each SDK adds to a traced `node:http` service under a fixed load.
// Each (rate, SDK) runs the service in its own process (lib/service-process.mjs), loaded by
// autocannon from this process at a fixed rate: a warm-up, then the measured window. SDKs alternate
// within each round (the first one rotates between rounds) and each figure is the median of the
// rounds; "added" is an SDK's median minus the no-SDK service's median at the same rate, in the same
// run. Prints the table and the goal ratios, writes bench/results/service.json and regenerates
// docs/benchmarks.md.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describeMachine, loadAverage, machine } from './lib/machine.mjs';
import { BENCH_DIR, commandLine, parseFlags } from './lib/options.mjs';
import { startIngestionServer } from './lib/server.mjs';
import { saveResults } from './lib/results.mjs';
import { runService } from './lib/service-run.mjs';
import { markdownServiceGoals, markdownServiceTable, SERVICE_SDKS, sendsMessages, summarizeService } from './lib/service-summary.mjs';
import { formatSeconds } from './lib/summary.mjs';

const USAGE = `node bench/service.mjs [flags]
  --rates a,b       fixed request rates, requests/s (default 2000,1000)
  --rounds N        rounds of alternation; figures are medians (default 5: at 3, one noisy run moves
                    a median by more than the gaps between SDKs)
  --seconds S       measured window per run (default 10)
  --warmup S        load before the measured window, not counted (default 3)
  --connections N   autocannon connections (default 50)
  --only a,b        SDKs: ${SERVICE_SDKS.map((sdk) => sdk.name).join(', ')} (none is the baseline "added" is measured
                    against; busy, not run by default, burns a known 25 µs per request: the calibration)
  --cpu-prof        write a V8 CPU profile of every service process to bench/profiles/
  --trace-gc        write every service process's --trace-gc output to bench/profiles/
  --size BYTES      JSON size of each request's track call (default 360)
  --seed N, --lib-dir DIR, --timeout S (a run's flush deadline; default 180)
  --no-docs         do not write bench/results/service.json and docs/benchmarks.md
`;

const { settings, values, integer } = parseFlags(
  process.argv.slice(2),
  {
    rates: { type: 'string', default: '2000,1000' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string', default: SERVICE_SDKS.filter((sdk) => !sdk.optional).map((sdk) => sdk.name).join(',') },
    'cpu-prof': { type: 'boolean', default: false },
    'trace-gc': { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
  },
  USAGE,
);
const rounds = integer('rounds', 1, 50);
const seconds = integer('seconds', 1, 600);
const warmSeconds = integer('warmup', 0, 600);
const connections = integer('connections', 1, 1000);
const rates = values.rates.split(',').map((rate) => Number.parseInt(rate.trim(), 10));
for (const rate of rates) if (!Number.isInteger(rate) || rate < 1) throw new Error(`--rates: "${values.rates}" is not a list of positive integers`);
const libs = values.only.split(',').map((name) => name.trim());
for (const lib of libs) if (!SERVICE_SDKS.some((sdk) => sdk.name === lib)) throw new Error(`unknown SDK "${lib}": ${SERVICE_SDKS.map((sdk) => sdk.name).join(', ')}`);

const profileDir = path.join(BENCH_DIR, 'profiles');
if (values['cpu-prof'] || values['trace-gc']) mkdirSync(profileDir, { recursive: true });
function diagnostics(lib, rate, round) {
  const name = `service-${lib}-${rate}-r${round}`;
  const execArgv = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  if (values['trace-gc']) execArgv.push('--trace-gc');
  return { execArgv, outputFile: values['trace-gc'] ? path.join(profileDir, `${name}.gc.log`) : undefined };
}

const info = machine();
process.stdout.write(`${commandLine('service.mjs')}\n${describeMachine(info)}\n`);
process.stdout.write(`rates ${rates.join(', ')} req/s, ${connections} connections, ${warmSeconds} s warm-up + ${seconds} s measured, ${rounds} round(s), SDKs ${libs.join(', ')}\n\n`);

const loadBefore = loadAverage();
const server = await startIngestionServer();
const runs = [];
const started = Date.now();
try {
  for (let round = 1; round <= rounds; round++) {
    for (const rate of rates) {
      for (let index = 0; index < libs.length; index++) {
        const lib = libs[(index + round - 1) % libs.length];
        const run = await runService(server, { ...settings, ...diagnostics(lib, rate, round), lib, rate, connections, seconds, warmSeconds });
        runs.push({ ...run, round });
        const trouble = run.failure === undefined ? '' : ` FAILED: ${run.failure.split('\n')[0]}`;
        const latency = run.latency === undefined ? '' : ` p50 ${run.latency.p50} ms, p99 ${run.latency.p99} ms, p99.9 ${run.latency.p99_9} ms, max ${run.latency.max} ms;`;
        const delay = run.delayMillis === undefined ? '' : ` loop delay p99 ${run.delayMillis.p99.toFixed(1)} ms, max ${run.delayMillis.max.toFixed(1)} ms;`;
        const cpu = run.cpuPerRequestMicros === undefined ? '' : ` CPU ${run.cpuPerRequestMicros.toFixed(1)} µs/request (${Math.round(100 * run.cpuShare)} % of a core), ${Math.round(run.achievedRate)} req/s;`;
        const delivery = !sendsMessages(lib) || run.made === undefined ? '' : ` delivered ${run.delivered}/${run.made}, dup ${run.duplicates}, lost ${run.lost};`;
        process.stdout.write(`round ${round} ${String(rate).padStart(5)} req/s ${lib.padEnd(10)}${cpu}${latency}${delay}${delivery} load ${run.loadAverage ?? '—'}${trouble}\n`);
        if (run.outputLines > 0) process.stdout.write(`  (the service printed ${run.outputLines} lines; first: ${JSON.stringify(run.output.split('\n')[0].slice(0, 160))})\n`);
      }
    }
  }
} finally {
  await server.close();
}

const rows = summarizeService(runs);
const burst = path.join(BENCH_DIR, 'results', 'run.json');
const burstCpu = existsSync(burst) ? JSON.parse(readFileSync(burst, 'utf8')).rows.find((row) => row.lib === 'metarouter' && row.mode === 'burst')?.cpuPerCallMicros : undefined;
const load = { before: loadBefore, after: loadAverage() };
process.stdout.write(`\n## Service: one track call per request (median of ${rounds})\n\n${markdownServiceTable(rows)}\n\n${markdownServiceGoals(rows, burstCpu)}\n`);
process.stdout.write(`\ntotal ${formatSeconds(Date.now() - started)}; load average ${load.before} before, ${load.after} after (${info.cores} cores)\n`);

if (!values['no-docs']) {
  saveResults('service.mjs', 'service', {
    machine: info,
    load,
    settings: { size: settings.size, seed: settings.seed, libDir: values['lib-dir'], rates, rounds, seconds, warmSeconds, connections, libs },
    rows,
    runs: runs.map(({ output, ...run }) => ({ ...run, output: output === '' ? undefined : output.slice(0, 200) })),
  });
}
