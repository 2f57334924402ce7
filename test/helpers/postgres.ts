import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/** How long a start (crash recovery included) or a promotion may take on a slow shared machine. */
const START_WAIT_MILLIS = 90_000;
const PG_CTL_WAIT_SECONDS = START_WAIT_MILLIS / 1000;
/** How long the primary may wait for its standby to report itself synchronous. */
const SYNC_WAIT_MILLIS = 60_000;

/** One PostgreSQL server (postmaster) on 127.0.0.1, its own data directory and port. */
export interface PostgresServer {
  readonly port: number;
  /** A connection string straight to this server, around the cluster's forwarder. */
  readonly url: string;
  readonly dataDir: string;
  start(): Promise<void>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** SIGKILL the postmaster and its children at once: a machine lost, not a shutdown. */
  kill(): Promise<void>;
}

/** A primary, an optional synchronous standby, and the address clients use. */
export interface PostgresCluster {
  /** What clients connect to: a loopback TCP forwarder in front of the current primary (the "virtual IP" a managed Postgres gives). */
  readonly url: string;
  /** The server started as the primary (it stays this object after a promotion). */
  readonly primary: PostgresServer;
  readonly standby?: PostgresServer;
  /** pg_ctl promote on the standby, then the forwarder points at it (new connections only; old ones cut). */
  promote(): Promise<void>;
  /** Forwarder refuses/cuts connections (PG "unreachable") until restored. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * The directory of initdb, pg_ctl and postgres: POSTGRES_BINDIR when set (only it), else what
 * pg_config says, else the newest of Debian's /usr/lib/postgresql/<major>/bin, else the PATH.
 * Undefined when none has them.
 */
export function postgresBinDir(): string | undefined {
  const hasBinaries = (dir: string): boolean => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  const chosen = process.env.POSTGRES_BINDIR;
  if (chosen) return hasBinaries(chosen) ? chosen : undefined;
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // No pg_config on the PATH: the other places may still hold the binaries.
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const majors = readdirSync(debian).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...majors.map((major) => join(debian, major, 'bin')));
  }
  candidates.push(...(process.env.PATH ?? '').split(':').filter(Boolean));
  return candidates.find(hasBinaries);
}

/** PostgreSQL refuses to run as root: as root, its binaries run as the `postgres` user on directories it owns. */
interface RunAs {
  readonly uid: number;
  readonly gid: number;
  exec(binary: string, args: readonly string[]): Promise<string>;
  /** A long-running child writing its output to the file descriptor `log`. */
  spawn(binary: string, args: readonly string[], log: number): ChildProcess;
}

const AS_POSTGRES = ['--reuid=postgres', '--regid=postgres', '--init-groups', '--'];

function runAs(): RunAs {
  if (process.getuid?.() !== 0) {
    return {
      uid: process.getuid?.() ?? -1,
      gid: process.getgid?.() ?? -1,
      exec: async (binary, args) => (await run(binary, args, { cwd: tmpdir() })).stdout,
      spawn: (binary, args, log) => spawn(binary, args, { cwd: tmpdir(), stdio: ['ignore', log, log] }),
    };
  }
  const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
  return {
    uid,
    gid,
    exec: async (binary, args) => (await run('setpriv', [...AS_POSTGRES, binary, ...args], { cwd: tmpdir() })).stdout,
    // setpriv execs the binary: the postmaster is this process's own child, reaped when it dies.
    spawn: (binary, args, log) => spawn('setpriv', [...AS_POSTGRES, binary, ...args], { cwd: tmpdir(), stdio: ['ignore', log, log] }),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function urlFor(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ');
      if (Number(fields?.[1]) === pid) children.push(Number(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return children;
}

function killTree(pid: number): void {
  for (const target of [pid, ...childrenOf(pid)]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function logTail(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * One postmaster, run as a child of this process (not through pg_ctl, whose postmaster is
 * orphaned: a SIGKILLed orphan can stay a zombie, holding its pid and the lock file against a restart).
 */
class LocalServer implements PostgresServer {
  readonly url: string;
  readonly logFile: string;
  private readonly args: string[];
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly as: RunAs,
    private readonly binDir: string,
    readonly dataDir: string,
    readonly port: number,
    socketDir: string,
    settings: Record<string, string>,
  ) {
    this.url = urlFor(port);
    this.logFile = `${dataDir}.log`;
    const all = { listen_addresses: '127.0.0.1', port: String(port), unix_socket_directories: socketDir, ...settings };
    // Settings go on the command line, not into postgresql.conf: pg_basebackup copies the files, and
    // a standby must not inherit the primary's synchronous_standby_names (after promotion it would wait forever).
    this.args = ['-D', dataDir, ...Object.entries(all).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
  }

  async start(): Promise<void> {
    if (this.child !== undefined) return;
    const log = openSync(this.logFile, 'a');
    const child = this.as.spawn(join(this.binDir, 'postgres'), this.args, log);
    closeSync(log);
    this.child = child;
    let ended = false;
    this.exited = new Promise((done) =>
      child.once('exit', () => {
        ended = true;
        if (this.child === child) this.child = undefined;
        done();
      }),
    );
    for (let waited = 0; ; waited += 50) {
      if (ended) throw new Error(`PostgreSQL on port ${this.port} exited while starting:\n${logTail(this.logFile)}`);
      if (await acceptsQueries(this.url)) return;
      if (waited > START_WAIT_MILLIS) {
        await this.kill();
        throw new Error(`PostgreSQL on port ${this.port} did not accept queries within ${START_WAIT_MILLIS} ms:\n${logTail(this.logFile)}`);
      }
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    // PostgreSQL's shutdown signals: SIGINT is the fast shutdown, SIGQUIT the immediate one.
    this.child?.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    await this.exited;
  }

  async kill(): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) return;
    killTree(pid);
    await this.exited;
  }

  /** The running postmaster's pid, or undefined. */
  pid(): number | undefined {
    return this.child?.pid;
  }

  pgCtl(args: readonly string[]): Promise<string> {
    return this.as.exec(join(this.binDir, 'pg_ctl'), args);
  }
}

async function acceptsQueries(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A loopback TCP forwarder: the stable address in front of whichever server is primary. */
class Forwarder {
  private readonly server: NetServer;
  private readonly open = new Set<Socket>();
  private cutOff = false;

  constructor(public target: number) {
    this.server = createServer((client) => this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return (this.server.address() as AddressInfo).port;
  }

  private accept(client: Socket): void {
    if (this.cutOff) {
      client.on('error', () => undefined).resetAndDestroy();
      return;
    }
    const upstream = connect(this.target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.open.add(socket);
      socket.on('error', () => undefined).once('close', () => {
        this.open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }

  /** Ends every open connection with a reset, as a vanished host's connections end. */
  dropAll(): void {
    for (const socket of this.open) socket.resetAndDestroy();
  }

  cut(): void {
    this.cutOff = true;
    this.dropAll();
  }

  restore(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}

async function waitForSyncStandby(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (let waited = 0; ; waited += 100) {
      const { rows } = await client.query<{ sync_state: string }>('SELECT sync_state FROM pg_stat_replication');
      if (rows.some((row) => row.sync_state === 'sync')) return;
      if (waited > SYNC_WAIT_MILLIS) throw new Error(`the standby did not become synchronous within ${SYNC_WAIT_MILLIS} ms`);
      await new Promise((done) => setTimeout(done, 100));
    }
  } finally {
    await client.end();
  }
}

/** Clusters still running, stopped at once if the test process exits without its cleanup. */
const running = new Set<LocalServer>();
let exitHookInstalled = false;
function track(server: LocalServer): void {
  running.add(server);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const each of running) {
      const pid = each.pid();
      if (pid !== undefined) killTree(pid);
    }
  });
}

/**
 * Starts a fresh cluster (initdb on a temp dir, free loopback port, fsync on), stopped and removed
 * after `t`. With `standby: true`, a streaming standby (pg_basebackup -R) that the primary waits
 * for (synchronous_standby_names='*', synchronous_commit=remote_apply): a commit the primary
 * acknowledged is already visible on the standby. Without binaries: `t.skip` with how to enable,
 * returns undefined; under CI=true it fails instead.
 */
export async function startPostgres(t: TestContext, options: { standby?: boolean } = {}): Promise<PostgresCluster | undefined> {
  const binDir = postgresBinDir();
  if (binDir === undefined) {
    const how = 'install PostgreSQL (Debian: apt-get install postgresql) or set POSTGRES_BINDIR to the directory of initdb';
    if (process.env.CI === 'true') assert.fail(`PostgreSQL's initdb is missing: ${how}`);
    t.skip(`PostgreSQL is not installed: ${how}`);
    return undefined;
  }
  const as = runAs();
  const root = mkdtempSync(join(tmpdir(), 'metarouter-otel-pg-'));
  chownSync(root, as.uid, as.gid);
  const servers: LocalServer[] = [];
  const forwarder = new Forwarder(0);
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await forwarder.close().catch(() => undefined);
    for (const server of servers) {
      await server.stop('immediate').catch(() => server.kill());
      running.delete(server);
    }
    rmSync(root, { recursive: true, force: true });
  };
  t.after(close);

  const primaryDir = join(root, 'primary');
  await as.exec(join(binDir, 'initdb'), ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-instructions']);
  const sync: Record<string, string> = options.standby ? { synchronous_standby_names: '*', synchronous_commit: 'remote_apply' } : {};
  const primary = new LocalServer(as, binDir, primaryDir, await freePort(), root, sync);
  servers.push(primary);
  track(primary);
  await primary.start();

  let standby: LocalServer | undefined;
  if (options.standby) {
    const standbyDir = join(root, 'standby');
    await as.exec(join(binDir, 'pg_basebackup'), ['-D', standbyDir, '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-R', '-X', 'stream', '-c', 'fast']);
    standby = new LocalServer(as, binDir, standbyDir, await freePort(), root, {});
    servers.push(standby);
    track(standby);
    await standby.start();
    await waitForSyncStandby(primary.url);
  }

  forwarder.target = primary.port;
  const forwarderPort = await forwarder.listen();
  return {
    url: urlFor(forwarderPort),
    primary,
    standby,
    async promote() {
      if (standby === undefined) throw new Error('promote() needs a cluster started with { standby: true }');
      await standby.pgCtl(['promote', '-w', '-t', String(PG_CTL_WAIT_SECONDS), '-D', standby.dataDir]);
      forwarder.target = standby.port;
      forwarder.dropAll();
    },
    cut: () => forwarder.cut(),
    restore: () => forwarder.restore(),
    close,
  };
}
