// The cold-start benchmark's figures: median, min and max per SDK of the fresh-process samples, the
// CPU of a service's first seconds against the no-SDK service of the same rounds, and their tables.
import { median } from './summary.mjs';

/** The SDKs of the cold-start benchmark; `none` is the floor: no SDK (one fetch, or the service alone). */
export const COLD_SDKS = [
  { name: 'none', label: 'no SDK' },
  { name: 'metarouter', label: 'metarouter-otel' },
  { name: 'segment', label: '@segment/analytics-node' },
  { name: 'posthog', label: 'posthog-node' },
];

export function coldLabel(name) {
  return COLD_SDKS.find((sdk) => sdk.name === name)?.label ?? name;
}

function spread(values) {
  const numbers = values.filter((value) => typeof value === 'number' && Number.isFinite(value));
  if (numbers.length === 0) return undefined;
  return { median: median(numbers), min: Math.min(...numbers), max: Math.max(...numbers), n: numbers.length };
}

/** One row per SDK of the start part: spreads of the load time, start → first batch, start → exit. */
export function summarizeStart(runs) {
  return COLD_SDKS.filter((sdk) => runs.some((run) => run.lib === sdk.name)).map(({ name, label }) => {
    const group = runs.filter((run) => run.lib === name);
    const ok = group.filter((run) => run.failure === undefined);
    return {
      lib: name,
      label,
      samples: group.length,
      failures: group.filter((run) => run.failure !== undefined).map((run) => run.failure),
      undelivered: ok.filter((run) => run.delivered < 1).length,
      boot: spread(ok.map((run) => run.bootMillis)),
      load: spread(ok.map((run) => run.loadMillis)),
      firstBatch: spread(ok.map((run) => run.firstBatchMillis)),
      exit: spread(ok.map((run) => run.exitMillis)),
      cpu: spread(ok.map((run) => run.cpuMillis)),
    };
  });
}

/** One row per SDK of the service part: the spread of its CPU, and its median minus the no-SDK median. */
export function summarizeFirstSeconds(runs) {
  const baseline = median(runs.filter((run) => run.lib === 'none' && run.failure === undefined).map((run) => run.cpuMillis));
  return COLD_SDKS.filter((sdk) => runs.some((run) => run.lib === sdk.name)).map(({ name, label }) => {
    const group = runs.filter((run) => run.lib === name);
    const ok = group.filter((run) => run.failure === undefined);
    const cpu = spread(ok.map((run) => run.cpuMillis));
    return {
      lib: name,
      label,
      rounds: group.length,
      failures: group.filter((run) => run.failure !== undefined).map((run) => run.failure),
      cpu,
      addedMillis: cpu === undefined || baseline === undefined || name === 'none' ? undefined : cpu.median - baseline,
      ready: spread(ok.map((run) => run.readyMillis)),
      requests: median(ok.map((run) => run.requests)),
      lost: ok.reduce((sum, run) => sum + run.lost, 0),
    };
  });
}

const ms = (value) => (value === undefined ? '—' : `${Math.round(value)} ms`);
const cell = (s) => (s === undefined ? '— | — | —' : `${ms(s.median)} | ${ms(s.min)} | ${ms(s.max)}`);

function rowLabel(row) {
  const notes = [];
  if (row.failures.length > 0) notes.push(`${row.failures.length} failed: ${row.failures[0]}`);
  if (row.undelivered > 0) notes.push(`${row.undelivered} delivered nothing`);
  if (row.lost > 0) notes.push(`${row.lost} messages lost`);
  return notes.length === 0 ? row.label : `${row.label} (${notes.join('; ')})`;
}

/** The start table: load, and process start to the first batch the server received, per SDK. */
export function markdownStartTable(rows) {
  const lines = [
    '| SDK | load: median | min | max | start → first batch: median | min | max | CPU until flushed: median | min | max | start → exit (median) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const load = row.lib === 'none' ? '— | — | —' : cell(row.load);
    lines.push(`| ${rowLabel(row)} | ${load} | ${cell(row.firstBatch)} | ${cell(row.cpu)} | ${ms(row.exit?.median)} |`);
  }
  const boot = rows.find((row) => row.lib === 'none')?.boot;
  if (boot !== undefined) lines.push('', `Node alone, from the process's start to the script's first line: ${ms(boot.median)} (median). "no SDK" sends its batch with the runtime's \`fetch\`.`);
  return lines.join('\n');
}

/** The first-seconds table: CPU since the process started, and what each SDK adds to the no-SDK service. */
export function markdownFirstSecondsTable(rows) {
  const lines = ['| service | CPU: median | min | max | added to no SDK | listening after | requests served |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const row of rows) {
    const added = row.addedMillis === undefined ? '—' : `${row.addedMillis >= 0 ? '+' : '−'}${Math.round(Math.abs(row.addedMillis))} ms`;
    lines.push(`| ${rowLabel(row)} | ${cell(row.cpu)} | ${added} | ${ms(row.ready?.median)} | ${row.requests === undefined ? '—' : Math.round(row.requests)} |`);
  }
  return lines.join('\n');
}
