#!/usr/bin/env node
// `npm run bench`: the burst table (run.mjs), the service table (service.mjs), the cold-start tables
// (cold-start.mjs), our burst rows on Bun and Deno beside Node's (run.mjs again, into
// results/runtimes.json), then the bridge on its queues (bridge-throughput.mjs), each in its own
// process, each regenerating docs/benchmarks.md as it ends. The service part runs after the burst so
// its goal ratio reads the burst CPU per event of the same run.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR } from './lib/options.mjs';

const PARTS = {
  burst: ['run.mjs'],
  service: ['service.mjs'],
  'cold-start': ['cold-start.mjs'],
  runtimes: ['run.mjs', '--only', 'metarouter', '--runtimes', 'node,bun,deno', '--results', 'runtimes'],
  bridge: ['bridge-throughput.mjs'],
};
const USAGE = `npm run bench [-- flags]
  --only a,b     parts: ${Object.keys(PARTS).join(', ')} (default all, ≈25 min on 2 cores)
  --rounds N     rounds of alternation of each part (default: burst 3, service 5, bridge 3)
  Each part has more flags: node bench/run.mjs --help, node bench/service.mjs --help, node bench/cold-start.mjs --help, node bench/bridge-throughput.mjs --help
`;

const { values } = parseArgs({
  options: { only: { type: 'string', default: Object.keys(PARTS).join(',') }, rounds: { type: 'string' }, help: { type: 'boolean', default: false } },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const parts = values.only.split(',').map((part) => part.trim());
for (const part of parts) if (PARTS[part] === undefined) throw new Error(`unknown part "${part}": ${Object.keys(PARTS).join(', ')}`);
const extra = values.rounds === undefined ? [] : ['--rounds', values.rounds];

for (const part of Object.keys(PARTS).filter((name) => parts.includes(name))) {
  const [script, ...args] = PARTS[part];
  const { status, signal } = spawnSync(process.execPath, [path.join(BENCH_DIR, script), ...args, ...extra], { stdio: 'inherit' });
  if (status !== 0) {
    process.stderr.write(`the ${part} part ended with ${signal ?? `exit code ${status}`}\n`);
    process.exit(status ?? 1);
  }
  process.stdout.write('\n');
}
