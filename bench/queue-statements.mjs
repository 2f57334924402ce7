// The PostgreSQL queue's statements alone, no bridge: PostgreSQL CPU and WAL per event of a request's
// commit and its settlement, the WAL by record kind (pg_walinspect).
//
//   npm run build && node bench/queue-statements.mjs [--dist DIR] [--requests N] [--uuid]
//
// A fresh server (bench/lib/postgres.mjs), the tables made by the built package's migration, one
// partition for the run; 4 connections each commit requests of 100 events (QueueStore.commit, leased
// to one owner as a bridge does) and settle them (QueueStore.settle). A checkpoint before the
// measured part, so its figures hold the first change of each page after it, as a long run would.
// Compare two builds with --dist. Prints only.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startPostgres, treeCpuSeconds } from './lib/postgres.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values: flags } = parseArgs({ options: { dist: { type: 'string', default: 'dist' }, requests: { type: 'string', default: '1500' }, uuid: { type: 'boolean', default: false } } });
const dist = resolve(here, '..', flags.dist);
const requests = Number(flags.requests);
const EVENTS_PER_REQUEST = 100;
const CONNECTIONS = 4;
const PARTITION_MILLIS = 3_600_000;
const OWNER = '6f1c1a4e-8a5e-4d55-9a3c-6a1e8d1e0a11';
const pg = createRequire(resolve(here, '..', 'package.json'))('pg');
const { migrate } = await import(pathToFileURL(resolve(dist, 'fleet/schema.js')).href);
const { QueueStore } = await import(pathToFileURL(resolve(dist, 'fleet/queue-store.js')).href);
const { PostgresClient } = await import(pathToFileURL(resolve(dist, 'fleet/postgres-client.js')).href);

function request(number) {
  return Array.from({ length: EVENTS_PER_REQUEST }, (_, i) => {
    const messageId = flags.uuid ? crypto.randomUUID() : `q${String(number).padStart(10, '0')}-${i}`;
    const json = JSON.stringify({ type: 'track', event: ['Order Completed', 'Product Viewed', 'Signed Up'][i % 3], messageId, userId: `user-${(number * EVENTS_PER_REQUEST + i) % 997}`, timestamp: new Date().toISOString(), properties: { orderId: `o-${i}`, total: (i % 500) + 0.99, currency: 'EUR', products: [{ sku: `SKU-${i % 50}`, quantity: 1 + (i % 3) }], coupon: i % 4 === 0 ? 'SPRING' : 'NONE' }, context: { ip: '203.0.113.9', locale: 'en-US', userAgent: 'Mozilla/5.0 (bench)' } });
    return { messageId, json, bytes: Buffer.byteLength(json) };
  });
}

const server = await startPostgres();
if (server.unavailable !== undefined) {
  console.log(server.unavailable);
  process.exit(0);
}
const pool = new pg.Pool({ connectionString: server.url, max: CONNECTIONS + 1 });
try {
  const admin = await pool.connect();
  await migrate(admin, PARTITION_MILLIS);
  const start = Math.floor(Date.now() / PARTITION_MILLIS) * PARTITION_MILLIS;
  await admin.query(`CREATE TABLE metarouter_events_p${start} PARTITION OF metarouter_events FOR VALUES FROM ('${new Date(start).toISOString()}') TO ('${new Date(start + PARTITION_MILLIS).toISOString()}') WITH (fillfactor = 50)`);
  await admin.query('CREATE EXTENSION pg_walinspect');
  admin.release();
  const store = new QueueStore(new PostgresClient(pool, 'the bench database', (error) => console.error(error.message)), 'bench-key');
  let next = 0;
  const work = async () => {
    while (next < requests) {
      const seqs = await store.commit(request(next++), OWNER, 30_000);
      await store.settle([...seqs.values()], []);
    }
  };
  for (let i = 0; i < 50; i++) await store.commit(request(1e6 + i), OWNER, 30_000);
  await pool.query('CHECKPOINT');
  const { rows: [{ lsn: from }] } = await pool.query('SELECT pg_current_wal_insert_lsn() AS lsn');
  const cpuBefore = treeCpuSeconds(server.pid);
  await Promise.all(Array.from({ length: CONNECTIONS }, work));
  const cpu = treeCpuSeconds(server.pid) - cpuBefore;
  // A commit that waits for the flush: the range read is on disk.
  await pool.query('CREATE TABLE flushed (x int); INSERT INTO flushed VALUES (1)');
  const { rows } = await pool.query('SELECT "resource_manager/record_type" AS kind, count::float8 AS count, record_size::float8 AS record, fpi_size::float8 AS fpi FROM pg_get_wal_stats($1, pg_current_wal_flush_lsn(), true) WHERE count > 0 ORDER BY combined_size DESC', [from]);
  const events = requests * EVENTS_PER_REQUEST;
  const total = rows.reduce((sum, row) => sum + row.record + row.fpi, 0);
  console.log(`${requests} requests of ${EVENTS_PER_REQUEST} events, ${flags.uuid ? 'random UUID' : 'sequential'} messageIds, build ${flags.dist}`);
  console.log(`PostgreSQL CPU ${((cpu / events) * 1e6).toFixed(1)} µs/event, WAL ${(total / events).toFixed(0)} B/event`);
  console.table(rows.filter((row) => row.count / events >= 0.01).map((row) => ({ kind: row.kind, 'records/event': (row.count / events).toFixed(2), 'B/event': (row.record / events).toFixed(0), 'page images B/event': (row.fpi / events).toFixed(0) })));
} finally {
  await pool.end();
  await server.close();
}
