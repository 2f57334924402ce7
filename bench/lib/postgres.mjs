// A throwaway PostgreSQL server for the bridge benchmark, started as the test harness
// (test/helpers/postgres.ts) starts one: Debian's binaries, initdb on a temporary directory, a free
// loopback port, the `postgres` user when run as root, fsync and synchronous_commit on (the
// defaults), the postmaster a child of this process. Plus what the profile reads: the CPU time of
// the postmaster and its children, and the WAL's write and sync counters.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const START_WAIT_MILLIS = 60_000;
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** initdb's directory: POSTGRES_BINDIR, pg_config --bindir, Debian's newest /usr/lib/postgresql/<major>/bin; undefined when none. */
export function postgresBinDir() {
  const has = (dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres'));
  if (process.env.POSTGRES_BINDIR) return has(process.env.POSTGRES_BINDIR) ? process.env.POSTGRES_BINDIR : undefined;
  const candidates = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // No pg_config: look where Debian puts the binaries.
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const majors = readdirSync(debian).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...majors.map((major) => path.join(debian, major, 'bin')));
  }
  return candidates.find(has);
}

const asRoot = process.getuid?.() === 0;
const AS_POSTGRES = ['--reuid=postgres', '--regid=postgres', '--init-groups', '--'];
const command = (binary, args) => (asRoot ? ['setpriv', [...AS_POSTGRES, binary, ...args]] : [binary, args]);

async function freePort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** CPU seconds of `pid` and its live children, plus the children it already reaped. */
export function treeCpuSeconds(pid) {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fields;
    try {
      fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
    } catch {
      continue;
    }
    // After "pid (comm) ": state ppid ... utime(12) stime(13) cutime(14) cstime(15), 0-based from state.
    if (Number(entry) === pid) ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    else if (Number(fields[1]) === pid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * Starts a fresh server; resolves with `{ url, pid, close() }`, or with `{ unavailable }` saying why
 * not (no binaries here). `close()` stops it and removes its directory.
 */
export async function startPostgres() {
  const binDir = postgresBinDir();
  if (binDir === undefined) return { unavailable: 'PostgreSQL is not installed (Debian: apt-get install postgresql)' };
  const root = mkdtempSync(path.join(tmpdir(), 'metarouter-otel-bench-pg-'));
  if (asRoot) {
    const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, id('-u'), id('-g'));
  }
  const dataDir = path.join(root, 'data');
  const [initdb, initArgs] = command(path.join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-instructions']);
  execFileSync(initdb, initArgs, { cwd: tmpdir(), stdio: 'ignore' });
  const port = await freePort();
  const settings = { listen_addresses: '127.0.0.1', port: String(port), unix_socket_directories: root, track_wal_io_timing: 'on' };
  const log = openSync(path.join(root, 'server.log'), 'a');
  const [binary, args] = command(path.join(binDir, 'postgres'), ['-D', dataDir, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])]);
  const child = spawn(binary, args, { cwd: tmpdir(), stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise((done) => child.once('exit', done));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const close = async () => {
    child.kill('SIGINT');
    await exited;
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', () => child.kill('SIGKILL'));
  const { Client } = await import('pg');
  for (const started = performance.now(); performance.now() - started < START_WAIT_MILLIS; ) {
    const client = new Client({ connectionString: url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return { url, pid: child.pid, close };
    } catch {
      await new Promise((done) => setTimeout(done, 50));
    }
  }
  await close();
  throw new Error(`PostgreSQL did not accept connections within ${START_WAIT_MILLIS / 1000} s`);
}

/** Whether a bridge made its tables (metarouter_*) in the database: a build without the queue makes none. */
export async function hasQueueTables(url) {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'metarouter%'");
    return rows[0].n > 0;
  } finally {
    await client.end();
  }
}

/** The WAL counters since the server started: records, bytes, writes, syncs (fsync) and their milliseconds. */
export async function walCounters(url) {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT wal_records::float8 AS records, wal_bytes::float8 AS bytes, wal_write::float8 AS writes, wal_sync::float8 AS syncs, wal_write_time AS "writeMillis", wal_sync_time AS "syncMillis" FROM pg_stat_wal');
    return rows[0];
  } finally {
    await client.end();
  }
}
