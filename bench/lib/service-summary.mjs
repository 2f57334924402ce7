// The service benchmark's figures: medians over rounds per (rate, SDK), what each SDK adds to the
// no-SDK service measured in the same run, the Markdown table and the goal ratios of issue 13.
import { median } from './summary.mjs';

/** `optional`: run only when named in `--only`; `sends: false`: no SDK, nothing to deliver. */
export const SERVICE_SDKS = [
  { name: 'none', label: 'no SDK (traced service alone)', sends: false },
  { name: 'metarouter', label: 'metarouter-otel', sends: true },
  { name: 'segment', label: '@segment/analytics-node', sends: true },
  { name: 'posthog', label: 'posthog-node', sends: true },
  { name: 'busy', label: 'calibration: no SDK, 25 µs of busy CPU per request', sends: false, optional: true },
];

/** Whether the service run of `name` delivers messages (whose loss and duplicates are then counted). */
export function sendsMessages(name) {
  return SERVICE_SDKS.find((sdk) => sdk.name === name)?.sends ?? true;
}

export const LATENCY_KEYS = ['p50', 'p90', 'p99', 'p99_9', 'p99_99'];

export function serviceLabel(name) {
  return SERVICE_SDKS.find((sdk) => sdk.name === name)?.label ?? name;
}

function range(values) {
  const numbers = values.filter((value) => typeof value === 'number');
  return numbers.length === 0 ? undefined : { min: Math.min(...numbers), max: Math.max(...numbers) };
}

/**
 * One row per (rate, SDK): medians of the rounds; "added" = the row's median minus the no-SDK
 * median; `addedByRound` = the range of the same difference taken within each round. `runs` carry
 * their `round`.
 */
export function summarizeService(runs) {
  const rows = [];
  const rates = [...new Set(runs.map((run) => run.rate))];
  for (const rate of rates) {
    for (const { name, label } of SERVICE_SDKS) {
      const group = runs.filter((run) => run.rate === rate && run.lib === name && run.failure === undefined);
      const all = runs.filter((run) => run.rate === rate && run.lib === name);
      if (all.length === 0) continue;
      rows.push({
        rate,
        lib: name,
        label,
        version: group.find((run) => run.finish?.version)?.finish.version ?? '',
        rounds: group.length,
        failures: all.filter((run) => run.failure !== undefined).map((run) => run.failure),
        achievedRate: median(group.map((run) => run.achievedRate)),
        cpuPerRequestMicros: median(group.map((run) => run.cpuPerRequestMicros)),
        latency: Object.fromEntries([...LATENCY_KEYS, 'max'].map((key) => [key, median(group.map((run) => run.latency?.[key]))])),
        delayMillis: Object.fromEntries(['p99', 'max'].map((key) => [key, median(group.map((run) => run.delayMillis?.[key]))])),
        maxRss: median(group.map((run) => run.maxRss)),
        loadAverage: range(group.map((run) => run.loadAverage)),
        errors: group.reduce((sum, run) => sum + (run.errors ?? 0) + (run.timeouts ?? 0) + (run.non2xx ?? 0), 0),
        duplicates: range(group.map((run) => run.duplicates)),
        lost: range(group.map((run) => run.lost)),
        outputLines: all.reduce((sum, run) => sum + run.outputLines, 0),
      });
    }
    const none = rows.find((row) => row.rate === rate && row.lib === 'none');
    const minus = (a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : undefined);
    // The same difference taken round by round (each SDK against the no-SDK run of its own round):
    // its range shows whether a gap between SDKs is larger than the machine's drift.
    const paired = (lib, pick) =>
      range(
        runs
          .filter((run) => run.rate === rate && run.lib === lib && run.failure === undefined)
          .map((run) => minus(pick(run), pick(runs.find((other) => other.rate === rate && other.lib === 'none' && other.round === run.round && other.failure === undefined) ?? {}))),
      );
    for (const row of rows.filter((candidate) => candidate.rate === rate)) {
      row.addedByRound = {
        p99: paired(row.lib, (run) => run.latency?.p99),
        p99_9: paired(row.lib, (run) => run.latency?.p99_9),
      };
      row.added = {
        cpuPerRequestMicros: minus(row.cpuPerRequestMicros, none?.cpuPerRequestMicros),
        p99: minus(row.latency.p99, none?.latency.p99),
        p99_9: minus(row.latency.p99_9, none?.latency.p99_9),
        delayP99: minus(row.delayMillis.p99, none?.delayMillis.p99),
        delayMax: minus(row.delayMillis.max, none?.delayMillis.max),
      };
    }
  }
  return rows;
}

const signed = (value, digits, unit) => (value === undefined ? '—' : `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)} ${unit}`);
const millis = (value) => (value === undefined ? '—' : `${value.toFixed(value >= 10 ? 0 : 1)} ms`);
const rangeText = (value) => (value === undefined ? '—' : value.min === value.max ? String(value.min) : `${value.min}–${value.max}`);
const rateText = (rate) => `${rate.toLocaleString('en-US')} req/s`;
const spread = (value) => (value === undefined ? '' : ` (${signed(value.min, 0, '').trim()}…${signed(value.max, 0, 'ms')})`);

/** The table, extended: one line per (rate, SDK). */
export function markdownServiceTable(rows) {
  const lines = [
    '| rate | SDK | served | CPU per request | added CPU | p50 | p99 | added p99 | p99.9 | added p99.9 | loop delay p99 / max | added loop delay p99 / max | peak RSS | dup | lost | load avg |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  let lastRate;
  for (const row of rows) {
    const name = row.version === '' ? row.label : `${row.label} ${row.version}`;
    const notes = [];
    if (row.failures.length > 0) notes.push(`${row.failures.length} run(s) failed: ${row.failures[0]}`);
    if (row.errors > 0) notes.push(`${row.errors} load errors`);
    if (row.outputLines > 0) notes.push(`printed ${row.outputLines} lines`);
    const label = notes.length > 0 ? `${name} (${notes.join('; ')})` : name;
    const isNone = row.lib === 'none';
    const sends = sendsMessages(row.lib);
    const added = (text) => (isNone ? '' : text);
    lines.push(
      [
        '',
        row.rate === lastRate ? '' : rateText(row.rate),
        label,
        row.achievedRate === undefined ? '—' : `${Math.round(row.achievedRate).toLocaleString('en-US')}/s`,
        row.cpuPerRequestMicros === undefined ? '—' : `${row.cpuPerRequestMicros.toFixed(1)} µs`,
        added(signed(row.added.cpuPerRequestMicros, 1, 'µs')),
        millis(row.latency.p50),
        millis(row.latency.p99),
        added(signed(row.added.p99, 0, 'ms') + spread(row.addedByRound.p99)),
        millis(row.latency.p99_9),
        added(signed(row.added.p99_9, 0, 'ms') + spread(row.addedByRound.p99_9)),
        `${millis(row.delayMillis.p99)} / ${millis(row.delayMillis.max)}`,
        added(`${signed(row.added.delayP99, 1, 'ms')} / ${signed(row.added.delayMax, 1, 'ms')}`),
        row.maxRss === undefined ? '—' : `${Math.round(row.maxRss / 2 ** 20)} MB`,
        sends ? rangeText(row.duplicates) : '',
        sends ? rangeText(row.lost) : '',
        rangeText(row.loadAverage),
        '',
      ].join(' | ').trim(),
    );
    lastRate = row.rate;
  }
  return lines.join('\n');
}

/**
 * The goal ratios of issue 13, per rate. `burstCpuPerEventMicros`: our own CPU per event in the
 * burst benchmark (bench/results/run.json), when known.
 */
export function serviceGoals(rows, burstCpuPerEventMicros) {
  const goals = [];
  for (const rate of [...new Set(rows.map((row) => row.rate))]) {
    const find = (lib) => rows.find((row) => row.rate === rate && row.lib === lib);
    const ours = find('metarouter');
    if (ours === undefined) continue;
    const peers = ['segment', 'posthog'].map(find).filter((row) => row !== undefined);
    const segment = find('segment');
    const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : undefined);
    const lowest = (key) => {
      const mine = ours.added[key];
      if (mine === undefined || peers.length === 0) return undefined;
      return peers.every((peer) => peer.added[key] === undefined || mine <= peer.added[key]);
    };
    const at = rateText(rate);
    const cpuVsSegment = ratio(ours.added.cpuPerRequestMicros, segment?.added.cpuPerRequestMicros);
    goals.push({ goal: `${at}: added CPU per request, ours / Segment`, target: '≤ 0.20', value: cpuVsSegment?.toFixed(2), met: cpuVsSegment === undefined ? undefined : cpuVsSegment <= 0.2 });
    const cpuVsBurst = ratio(ours.added.cpuPerRequestMicros, burstCpuPerEventMicros);
    goals.push({ goal: `${at}: added CPU per request, ours / our burst CPU per event`, target: '≤ 1.5', value: cpuVsBurst?.toFixed(2), met: cpuVsBurst === undefined ? undefined : cpuVsBurst <= 1.5 });
    for (const [key, name] of [['p99', 'p99'], ['p99_9', 'p99.9']]) {
      const peersText = peers.map((peer) => `${peer.lib} ${signed(peer.added[key], 0, 'ms')}`).join(', ');
      goals.push({ goal: `${at}: added ${name} latency the lowest of the SDKs`, target: 'lowest', value: `ours ${signed(ours.added[key], 0, 'ms')} (${peersText})`, met: lowest(key) });
    }
    const clean = ours.duplicates?.max === 0 && ours.lost?.max === 0;
    goals.push({ goal: `${at}: ours, no duplicates, no loss`, target: '0 / 0', value: `${rangeText(ours.duplicates)} / ${rangeText(ours.lost)}`, met: ours.duplicates === undefined ? undefined : clean });
  }
  return goals;
}

export function markdownServiceGoals(rows, burstCpuPerEventMicros) {
  const lines = ['| goal | target | measured | met |', '|---|---:|---:|:---:|'];
  for (const item of serviceGoals(rows, burstCpuPerEventMicros)) lines.push(`| ${item.goal} | ${item.target} | ${item.value ?? '—'} | ${item.met === undefined ? '—' : item.met ? 'yes' : 'no'} |`);
  return lines.join('\n');
}
