// One bridge, delivery included, on each of its queues: in memory, a local spool (`storage`), and
// PostgreSQL (`queue`). The same bridge child (bridge-throughput.mjs) delivers to the bench's
// ingestion server; this process sends OTLP at 8 requests in flight and waits until every event
// of a 200 answer has arrived there. Queues take turns within a round; the ratio of each to memory
// is of the same round's medians. Each request carries its own messageIds (the derived ones repeat
// when a body is replayed, and the PostgreSQL queue would take the replays as duplicates).
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { median } from './summary.mjs';
import { startIngestionServer } from './server.mjs';
import { hasQueueTables, startPostgres, treeCpuSeconds, walCounters } from './postgres.mjs';

export const RECORDS_PER_REQUEST = 100;
/** Written into every record's messageId; each request gets its own number in its place. */
export const ID_MARKER = 'MRB0000000000';
const IN_FLIGHT = 8;
const WARM_MILLIS = 500;
/**
 * The bridge's flushInterval here: with the default (10 s) the last partial batch of a phase would
 * wait for the timer, and the wait, not the queue, would set events/s. Every queue gets the same.
 */
const FLUSH_INTERVAL_MILLIS = 100;
const DRAIN_LIMIT_MILLIS = 60_000;
export const QUEUES = ['memory', 'spool', 'postgres'];
const ENCODINGS = [
  ['protobuf', 'application/x-protobuf'],
  ['JSON', 'application/json'],
];

/** Where the marker sits in `body`, so that a request's copy only overwrites digits. */
function markerOffsets(body) {
  const offsets = [];
  for (let at = body.indexOf(ID_MARKER); at !== -1; at = body.indexOf(ID_MARKER, at + 1)) offsets.push(at + 3);
  if (offsets.length !== RECORDS_PER_REQUEST) throw new Error(`expected ${RECORDS_PER_REQUEST} messageId markers, found ${offsets.length}`);
  return offsets;
}

/**
 * Request numbers start at a random multiple of a million: a database given with --pg-url keeps the
 * keys of earlier runs for its dedup window, and would take a reused messageId as a duplicate.
 */
let nextRequest = (1000 + Math.floor(Math.random() * 9000)) * 1_000_000;
function uniqueCopy(body, offsets) {
  const copy = Buffer.from(body);
  const digits = String(nextRequest++).padStart(ID_MARKER.length - 3, '0');
  for (const offset of offsets) copy.write(digits, offset, 'latin1');
  return copy;
}

function post(agent, port, body, contentType) {
  return new Promise((done) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/v1/logs', method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': body.length } }, (res) => {
      res.resume().on('end', () => done(res.statusCode));
    });
    req.on('error', () => done(0)).end(body);
  });
}

/** Sends for `millis` at IN_FLIGHT requests in flight; non-200 answers are counted and the request is not repeated. */
async function load(port, body, contentType, millis) {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const offsets = markerOffsets(body);
  let accepted = 0;
  let refused = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() - started < millis) {
        if ((await post(agent, port, uniqueCopy(body, offsets), contentType)) === 200) accepted += RECORDS_PER_REQUEST;
        else {
          refused++;
          await new Promise((done) => setTimeout(done, 50));
        }
      }
    }),
  );
  agent.destroy();
  return { accepted, refused };
}

async function drained(sink, target) {
  const started = performance.now();
  while (sink.current.ids.size < target) {
    if (performance.now() - started > DRAIN_LIMIT_MILLIS) throw new Error(`delivery stalled: ${sink.current.ids.size} of ${target} events arrived`);
    await new Promise((done) => setTimeout(done, 10));
  }
}

/** One queue in one round: a fresh bridge child, a warm-up, then each encoding measured. */
async function measureQueue(queue, { startChild, bodies, sink, pg, phaseMillis }) {
  const spool = queue === 'spool' ? mkdtempSync(path.join(tmpdir(), 'metarouter-otel-bench-spool-')) : undefined;
  const runId = sink.beginRun();
  const options = { host: sink.url(runId), writeKey: 'bench-key', flushInterval: FLUSH_INTERVAL_MILLIS, ...(spool && { storage: { directory: spool } }), ...(queue === 'postgres' && { queue: pg.url }) };
  const bridge = startChild(options, queue);
  try {
    const ready = await bridge.ready;
    const unavailable = ready.error ?? (queue === 'postgres' && !(await hasQueueTables(pg.url)) ? 'this build has no PostgreSQL queue (the bridge ignored `queue`)' : undefined);
    if (unavailable !== undefined) return ENCODINGS.map(([encoding]) => ({ queue, encoding, unavailable }));
    const rows = [];
    const warm = await load(ready.port, bodies.protobuf, ENCODINGS[0][1], WARM_MILLIS);
    await drained(sink, warm.accepted);
    for (const [encoding, contentType] of ENCODINGS) {
      const before = sink.current.ids.size;
      bridge.child.send('cpu');
      const cpuBefore = (await bridge.next()).cpu;
      const pgBefore = pg.pid === undefined ? undefined : { cpu: treeCpuSeconds(pg.pid), wal: await walCounters(pg.url) };
      const parentBefore = process.cpuUsage();
      const started = performance.now();
      const { accepted, refused } = await load(ready.port, bodies[encoding === 'JSON' ? 'json' : 'protobuf'], contentType, phaseMillis);
      const loaded = performance.now();
      await drained(sink, before + accepted);
      const seconds = (performance.now() - started) / 1000;
      const drainSeconds = (performance.now() - loaded) / 1000;
      const parent = process.cpuUsage(parentBefore);
      bridge.child.send('cpu');
      const bridgeCpu = (await bridge.next()).cpu - cpuBefore;
      const row = { queue, encoding, seconds, drainSeconds, events: accepted, eventsPerSecond: accepted / seconds, refused, bridgeCpu, parentCpu: (parent.user + parent.system) / 1e6 };
      if (queue === 'postgres' && pgBefore !== undefined) {
        const wal = await walCounters(pg.url);
        Object.assign(row, { pgCpu: treeCpuSeconds(pg.pid) - pgBefore.cpu, walSyncs: wal.syncs - pgBefore.wal.syncs, walSyncMillis: wal.syncMillis - pgBefore.wal.syncMillis, walWriteMillis: wal.writeMillis - pgBefore.wal.writeMillis, walBytes: wal.bytes - pgBefore.wal.bytes });
      }
      rows.push(row);
    }
    return rows;
  } finally {
    if (bridge.child.connected) bridge.child.send('stop');
    await bridge.exited;
    if (spool) rmSync(spool, { recursive: true, force: true });
  }
}

/**
 * Runs `rounds` rounds of each of `queues` (default all); resolves with `{ rows, runs, postgres }`:
 * one row per (queue, encoding) with the medians, each run as measured, and what PostgreSQL was.
 * `startChild(options, queue)` starts the bridge child.
 */
export async function compareQueues({ startChild, bodies, rounds, phaseMillis, pgUrl, queues = QUEUES }) {
  const sink = await startIngestionServer();
  const pg = pgUrl !== undefined ? { url: pgUrl, pid: undefined, close: async () => undefined } : await startPostgres().catch((error) => ({ unavailable: error.message }));
  const runs = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const queue of queues) {
        if (queue === 'postgres' && pg.unavailable !== undefined) runs.push(...ENCODINGS.map(([encoding]) => ({ queue, encoding, unavailable: pg.unavailable })));
        else runs.push(...(await measureQueue(queue, { startChild, bodies, sink, pg, phaseMillis })).map((run) => ({ ...run, round })));
      }
    }
  } finally {
    await sink.close();
    await pg.close?.();
  }
  return { rows: summarizeQueues(runs, queues), runs, postgres: pg.unavailable ?? (pgUrl !== undefined ? 'given by --pg-url' : 'started by the bench: one server on loopback, fsync and synchronous_commit on') };
}

function summarizeQueues(runs, queues) {
  const rows = [];
  for (const [encoding] of ENCODINGS) {
    const memory = median(runs.filter((run) => run.queue === 'memory' && run.encoding === encoding).map((run) => run.eventsPerSecond));
    for (const queue of queues) {
      const group = runs.filter((run) => run.queue === queue && run.encoding === encoding);
      const unavailable = group.find((run) => run.unavailable !== undefined)?.unavailable;
      if (unavailable !== undefined) {
        rows.push({ queue, encoding, unavailable });
        continue;
      }
      const pick = (key) => median(group.map((run) => run[key]));
      const perSecond = (key) => median(group.map((run) => (run[key] === undefined ? undefined : run[key] / run.seconds)));
      const eventsPerCpu = (key) => median(group.map((run) => (run[key] ? run.events / run[key] : undefined)));
      rows.push({
        queue,
        encoding,
        rounds: group.length,
        eventsPerSecond: pick('eventsPerSecond'),
        ratioToMemory: pick('eventsPerSecond') / memory,
        refused: pick('refused'),
        bridgeCores: perSecond('bridgeCpu'),
        eventsPerBridgeCoreSecond: eventsPerCpu('bridgeCpu'),
        loadAndSinkCores: perSecond('parentCpu'),
        pgCores: perSecond('pgCpu'),
        eventsPerPgCoreSecond: eventsPerCpu('pgCpu'),
        walSyncsPerSecond: perSecond('walSyncs'),
        walSyncMillisPerSecond: perSecond('walSyncMillis'),
        walBytesPerEvent: median(group.map((run) => (run.walBytes === undefined ? undefined : run.walBytes / run.events))),
      });
    }
  }
  return rows;
}

const fixed = (value, digits = 0) => (value === undefined ? '' : Number(value.toFixed(digits)));

/** The rows as console.table prints them. */
export function queueTable(rows) {
  return rows.map((row) =>
    row.unavailable !== undefined
      ? { queue: row.queue, encoding: row.encoding, 'events/s': `not available: ${row.unavailable}` }
      : {
          queue: row.queue,
          encoding: row.encoding,
          'events/s': fixed(row.eventsPerSecond),
          '÷ memory': fixed(row.ratioToMemory, 2),
          '503s': row.refused,
          'bridge cores': fixed(row.bridgeCores, 2),
          'events/bridge-core-s': fixed(row.eventsPerBridgeCoreSecond),
          'PG cores': fixed(row.pgCores, 2),
          'events/PG-core-s': fixed(row.eventsPerPgCoreSecond),
          'fsyncs/s': fixed(row.walSyncsPerSecond),
          'fsync ms/s': fixed(row.walSyncMillisPerSecond),
          'WAL B/event': fixed(row.walBytesPerEvent),
          'load+sink cores': fixed(row.loadAndSinkCores, 2),
        },
  );
}

/** On paper: cores of bridges and of one primary for `target` events/s, from the measured per-core rates. */
export function fleetFor(rows, target = 1_000_000) {
  return rows
    .filter((row) => row.queue === 'postgres' && row.unavailable === undefined && row.eventsPerPgCoreSecond !== undefined)
    .map((row) => ({
      encoding: row.encoding,
      'events/s': target,
      'bridge cores': Math.ceil(target / row.eventsPerBridgeCoreSecond),
      'PG primary cores': Math.ceil(target / row.eventsPerPgCoreSecond),
      'WAL MB/s': fixed((target * row.walBytesPerEvent) / 1e6),
    }));
}
