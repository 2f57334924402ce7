// docs/benchmarks.md's bridge section, from bench/results/bridge.json (node bench/bridge-throughput.mjs).
import { formatCount } from './summary.mjs';

const QUEUE_LABELS = { memory: 'in memory (default)', spool: 'local spool (`storage`)', postgres: 'PostgreSQL (`queue`)' };
const fixed = (value, digits) => (value === undefined || value === null ? '—' : value.toFixed(digits));
const count = (value) => (value === undefined || value === null ? '—' : formatCount(Math.round(value)));

function queueTable(rows) {
  const lines = [
    '| queue | OTLP | events/s | ÷ memory | bridge cores | events per bridge core-s | PostgreSQL cores | events per PG core-s | WAL fsyncs/s | fsync ms/s | WAL B/event | 503s |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const label = QUEUE_LABELS[row.queue] ?? row.queue;
    if (row.unavailable !== undefined) {
      lines.push(`| ${label} | ${row.encoding} | not available: ${row.unavailable} | | | | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${label} | ${row.encoding} | ${count(row.eventsPerSecond)} | ${fixed(row.ratioToMemory, 2)} | ${fixed(row.bridgeCores, 2)} | ${count(row.eventsPerBridgeCoreSecond)} | ${fixed(row.pgCores, 2)} | ${count(row.eventsPerPgCoreSecond)} | ${count(row.walSyncsPerSecond)} | ${count(row.walSyncMillisPerSecond)} | ${count(row.walBytesPerEvent)} | ${row.refused ?? 0} |`,
    );
  }
  return lines.join('\n');
}

function fleetTable(fleet) {
  const lines = ['| OTLP | events/s | bridge cores | PostgreSQL primary cores | WAL MB/s |', '|---|---:|---:|---:|---:|'];
  for (const row of fleet) lines.push(`| ${row.encoding} | ${formatCount(row['events/s'])} | ${row['bridge cores']} | ${row['PG primary cores']} | ${row['WAL MB/s']} |`);
  return lines.join('\n');
}

/** The section, as Markdown. */
export function bridgeSection(bridge) {
  const q = bridge.queues;
  const rounds = Math.max(...q.rows.map((row) => row.rounds ?? 0), 0);
  const out = [
    '## The OTLP bridge: one bridge on each queue, delivery included',
    '',
    `Produced by \`${bridge.command}\` on ${bridge.date.slice(0, 10)}; ${rounds} rounds, medians, queues taking turns within each round. One bridge in a child process takes OTLP/HTTP log requests of 100 records (made by the official exporters, each request with its own messageIds) at 8 in flight for 2.5 s, and delivers to the bench's ingestion server (flushInterval 100 ms for every queue); events/s counts from the first request until the last event of a 200 answer arrived there. PostgreSQL: ${q.postgres}. CPU: the bridge's \`process.cpuUsage()\`, PostgreSQL's from \`/proc/<pid>/stat\` of the postmaster and its children; fsyncs and their time from \`pg_stat_wal\` (track_wal_io_timing on). Sender and ingestion server share the two cores with the bridge and the database.`,
    '',
    queueTable(q.rows),
  ];
  if (bridge.fleet?.length > 0) {
    out.push('', 'On paper, from the per-core rates above: the cores that carry 1 M events/s. Bridges are stateless and scale out; every commit goes through the one primary (and its synchronous standby).', '', fleetTable(bridge.fleet));
  }
  return out.join('\n');
}
