// Where a benchmark script keeps what it measured: bench/results/<name>.json, which
// write-docs.mjs turns into docs/benchmarks.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeDocs } from '../write-docs.mjs';
import { BENCH_DIR, commandLine } from './options.mjs';

/** Writes bench/results/<name>.json (the command, the date, then `fields`) and regenerates the docs page. */
export function saveResults(script, name, fields) {
  const resultsDir = path.join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const record = { command: commandLine(script), date: new Date().toISOString(), ...fields };
  writeFileSync(path.join(resultsDir, `${name}.json`), `${JSON.stringify(record, null, 1)}\n`);
  writeDocs();
  process.stdout.write(`wrote bench/results/${name}.json and docs/benchmarks.md\n`);
}
