// Medians over rounds, the table, and the goal ratios.
import { CATALOG, catalogEntry } from './catalog.mjs';

export function median(values) {
  const sorted = values.filter((value) => typeof value === 'number' && Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function range(values) {
  const numbers = values.filter((value) => typeof value === 'number');
  if (numbers.length === 0) return undefined;
  return { min: Math.min(...numbers), max: Math.max(...numbers) };
}

/** One row per (library, mode, runtime): medians of the rounds, ranges of duplicates and losses. */
export function summarize(runs) {
  const groups = new Map();
  for (const run of runs) {
    const key = `${run.lib}|${run.mode}|${run.runtime ?? 'node'}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(run);
  }
  const rows = [];
  for (const [key, group] of groups) {
    const [lib, mode, runtime] = key.split('|');
    const entry = catalogEntry(lib);
    const onRuntime = group.find((run) => run.runtimeVersion !== undefined)?.runtimeVersion ?? runtime;
    const deliveredAll = group.filter((run) => run.deliveredMillis !== undefined);
    rows.push({
      lib,
      mode,
      label: entry.label,
      runtime,
      runtimeVersion: onRuntime,
      delivers: entry.delivers,
      version: group.find((run) => run.child?.finish?.version)?.child.finish.version ?? '',
      rounds: group.length,
      count: group[0].count,
      made: median(group.map((run) => run.made)),
      stoppedByBudget: group.some((run) => run.child?.stoppedByBudget),
      perCallMicros: median(group.map((run) => run.perCallMicros)),
      cpuPerCallMicros: median(group.map((run) => run.cpuPerCallMicros)),
      loopCpuPerCallMicros: median(group.map((run) => run.loopCpuPerCallMicros)),
      deliveredMillis: median(deliveredAll.map((run) => run.deliveredMillis)),
      deliveredRounds: deliveredAll.length,
      eventsPerSecond: median(deliveredAll.map((run) => run.eventsPerSecond)),
      peakRssBytes: median(group.map((run) => run.child?.maxRss)),
      rssAtStartBytes: median(group.map((run) => run.child?.rssAtStart)),
      requests: median(group.map((run) => run.server.requests)),
      duplicates: entry.delivers ? range(group.map((run) => run.server.duplicates)) : undefined,
      duplicatesById: entry.delivers ? range(group.map((run) => run.server.duplicatesById)) : undefined,
      lost: entry.delivers ? range(group.map((run) => run.lost)) : undefined,
      timedOut: group.filter((run) => run.timedOut).length,
      failures: group.filter((run) => run.failure !== undefined).map((run) => run.failure.split('\n')[0]),
      errors: mergeErrors(group),
      outputLines: group.reduce((sum, run) => sum + run.outputLines, 0),
    });
  }
  const runtimes = ['node', 'bun', 'deno'];
  const order = (row) => CATALOG.findIndex((entry) => entry.name === row.lib) * 100 + runtimes.indexOf(row.runtime) * 10 + (row.mode === 'burst' ? 0 : 1);
  return rows.sort((a, b) => order(a) - order(b));
}

function mergeErrors(group) {
  const merged = {};
  for (const run of group) {
    for (const [code, n] of Object.entries(run.child?.finish?.errors ?? {})) merged[code] = (merged[code] ?? 0) + n;
  }
  return merged;
}

/** The goal ratios (as issue 13 raised them), per mode, from summarized rows. */
export function ratios(rows, mode) {
  const find = (lib) => rows.find((row) => row.lib === lib && row.mode === mode && (row.runtime ?? 'node') === 'node');
  const ours = find('metarouter');
  const segment = find('segment');
  const baseline = find('baseline');
  const durable = find('metarouter-durable');
  const correlated = find('baseline-correlated');
  const noMarks = find('metarouter-no-marks');
  const noSpan = find('metarouter-no-span');
  const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b !== 0 ? a / b : undefined);
  const clean = ours !== undefined && ours.lost?.max === 0 && ours.duplicates?.max === 0;
  return [
    { goal: 'time per call: ours / Segment', target: '≤ 0.20', value: ratio(ours?.perCallMicros, segment?.perCallMicros), met: (v) => v <= 1 / 5 },
    { goal: 'the same, on CPU time of the call loop (all threads, GC included; not inflated by other processes)', target: '≤ 0.20', value: ratio(ours?.loopCpuPerCallMicros, segment?.loopCpuPerCallMicros), met: (v) => v <= 1 / 5 },
    { goal: 'events/s: ours / Segment', target: '≥ 5', value: ratio(ours?.eventsPerSecond, segment?.eventsPerSecond), met: (v) => v >= 5 },
    { goal: 'events/s: ours / pre-serialized baseline', target: '≥ 0.90', value: ratio(ours?.eventsPerSecond, baseline?.eventsPerSecond), met: (v) => v >= 0.9 },
    // Not goals of the issue: what the baseline ratio is made of (the same bytes, and the span marks).
    { goal: 'for reference: events/s, ours / the baseline carrying the same trace context', target: '—', value: ratio(ours?.eventsPerSecond, correlated?.eventsPerSecond) },
    { goal: 'for reference: events/s, ours without span marks / the baseline carrying the same trace context', target: '—', value: ratio(noMarks?.eventsPerSecond, correlated?.eventsPerSecond) },
    { goal: 'outside spans: events/s, ours / the baseline (the same bytes; issue 19)', target: '≥ 0.90', value: ratio(noSpan?.eventsPerSecond, baseline?.eventsPerSecond), met: (v) => v >= 0.9 },
    { goal: 'for reference: the same on CPU per event, the baseline / ours outside spans (not inflated by other processes)', target: '—', value: ratio(baseline?.cpuPerCallMicros, noSpan?.cpuPerCallMicros) },
    { goal: 'peak RSS: ours / Segment', target: '≤ 1', value: ratio(ours?.peakRssBytes, segment?.peakRssBytes), met: (v) => v <= 1 },
    { goal: 'durable: time per call / in-memory', target: '≤ 2', value: ratio(durable?.perCallMicros, ours?.perCallMicros), met: (v) => v <= 2 },
    { goal: 'durable: events/s / in-memory', target: '≥ 0.5', value: ratio(durable?.eventsPerSecond, ours?.eventsPerSecond), met: (v) => v >= 0.5 },
    ...(mode === 'paced' ? [{ goal: 'durable, paced: events/s / in-memory (issue 19)', target: '≥ 0.90', value: ratio(durable?.eventsPerSecond, ours?.eventsPerSecond), met: (v) => v >= 0.9 }] : []),
    { goal: 'for reference: CPU per event, in-memory / durable', target: '—', value: ratio(ours?.cpuPerCallMicros, durable?.cpuPerCallMicros) },
    { goal: 'ours: no duplicates, no loss', target: '0 / 0', value: ours === undefined ? undefined : clean ? 1 : 0, met: (v) => v === 1, text: ours === undefined ? undefined : `${formatRange(ours.duplicates)} / ${formatRange(ours.lost)}` },
  ].map((item) => ({ ...item, met: item.value === undefined || item.met === undefined ? undefined : item.met(item.value) }));
}

export function formatMicros(micros) {
  if (micros === undefined) return '—';
  if (micros >= 1000) return `${(micros / 1000).toFixed(2)} ms`;
  return `${micros.toFixed(micros >= 100 ? 0 : micros >= 10 ? 1 : 2)} µs`;
}

export function formatSeconds(millis) {
  if (millis === undefined) return '—';
  return millis >= 10_000 ? `${(millis / 1000).toFixed(1)} s` : `${(millis / 1000).toFixed(2)} s`;
}

export function formatCount(n) {
  if (n === undefined) return '—';
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(n >= 1e5 ? 0 : 1)} k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)} k`;
  return String(Math.round(n));
}

export function formatMegabytes(bytes) {
  return bytes === undefined ? '—' : `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MB`;
}

export function formatRange(value) {
  if (value === undefined) return '—';
  return value.min === value.max ? formatCount(value.min) : `${formatCount(value.min)}–${formatCount(value.max)}`;
}

/** The table, as Markdown, for one mode. */
export function markdownTable(rows, mode) {
  const lines = [
    '| library | time per call | all delivered | events/s | peak RSS | duplicates | lost | CPU per event |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows.filter((candidate) => candidate.mode === mode)) {
    const versioned = row.version === '' ? row.label : /^\d/.test(row.version) ? `${row.label} ${row.version}` : `${row.label} (${row.version})`;
    const name = (row.runtime ?? 'node') === 'node' ? versioned : `${versioned}, on ${row.runtimeVersion}`;
    const notes = [];
    if (row.stoppedByBudget) notes.push(`${formatCount(row.made)} of ${formatCount(row.count)} calls made before the time budget`);
    if (row.delivers && row.deliveredRounds < row.rounds) notes.push(`all delivered in ${row.deliveredRounds} of ${row.rounds} rounds`);
    if (row.timedOut > 0) notes.push(`${row.timedOut} run(s) killed at the deadline`);
    if (row.failures.length > 0) notes.push(`failed: ${row.failures[0]}`);
    const label = notes.length > 0 ? `${name} (${notes.join('; ')})` : name;
    const delivered = row.delivers ? formatSeconds(row.deliveredMillis) : '';
    const rate = row.delivers ? formatCount(row.eventsPerSecond) : '';
    const dup = row.delivers ? formatRange(row.duplicates) : '';
    const lost = row.delivers ? formatRange(row.lost) : '';
    lines.push(`| ${label} | ${formatMicros(row.perCallMicros)} | ${delivered} | ${rate} | ${formatMegabytes(row.peakRssBytes)} | ${dup} | ${lost} | ${formatMicros(row.cpuPerCallMicros)} |`);
  }
  return lines.join('\n');
}

/** The goal ratios, as Markdown, for one mode. */
export function markdownRatios(rows, mode) {
  const lines = ['| goal | target | measured | met |', '|---|---:|---:|:---:|'];
  for (const item of ratios(rows, mode)) {
    const value = item.text ?? (item.value === undefined ? '—' : item.value.toFixed(item.value >= 10 ? 1 : 2));
    lines.push(`| ${item.goal} | ${item.target} | ${value} | ${item.met === undefined ? '—' : item.met ? 'yes' : 'no'} |`);
  }
  return lines.join('\n');
}
