import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { after, before, test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { OK, reply, startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { CHILD_TIMEOUT_MILLIS, packAndInstall, REPO, type PackedPackage } from '../helpers/packed-package.js';

const run = promisify(execFile);
const MESSAGES = 12;

/** The runtimes' binaries, from their npm packages (devDependencies): no download at install or test time. */
const RUNTIMES = {
  bun: { binary: join(REPO, 'node_modules', '@oven', 'bun-linux-x64', 'bin', 'bun'), args: ['run'], from: '@oven/bun-linux-x64' },
  deno: { binary: join(REPO, 'node_modules', '@deno', 'linux-x64-glibc', 'deno'), args: ['run', '-A'], from: 'deno (its @deno/linux-x64-glibc binary)' },
} as const;

/** The example apps (examples/bun-deno/), as a user of the runtime writes them; each ends by itself and prints one JSON line. */
const EXAMPLES = join(REPO, 'examples', 'bun-deno');
/** app.mjs tracks and flushes; trace-ids.mjs tracks inside an active span across an await; storage.mjs spools and closes with a deadline. */
const APPS = ['app.mjs', 'trace-ids.mjs', 'storage.mjs'] as const;
/** What storage.mjs tracks in its first run, while the server refuses. */
const SPOOLED = 20;

let packed: PackedPackage;
let server: FaultServer;

before(async () => {
  packed = await packAndInstall(['@opentelemetry/api@~1.9.0', '@opentelemetry/context-async-hooks@^2.0.0', '@opentelemetry/sdk-trace-base@^2.0.0']);
  server = await startFaultServer();
  await packed.installed;
  for (const app of APPS) await copyFile(join(EXAMPLES, app), join(packed.consumer, app));
});

after(async () => {
  await server?.close();
  await packed?.remove();
});

function appEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, METAROUTER_WRITE_KEY: 'runtime-key', METAROUTER_HOST: server.url, DENO_DIR: join(packed.dir, 'deno-cache'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', ...extra };
}

/** False (and the test skipped, or failed under CI=true) when the runtime's binary is missing. */
function installed(t: TestContext, name: keyof typeof RUNTIMES): boolean {
  const runtime = RUNTIMES[name];
  if (existsSync(runtime.binary)) return true;
  // CI installs the devDependencies: there a missing binary is a broken setup, not a reason to skip.
  if (process.env.CI === 'true') assert.fail(`${runtime.binary} is missing: npm ci installs it from ${runtime.from}`);
  t.skip(`${name} is not installed: run npm install (it comes from the devDependency ${runtime.from})`);
  return false;
}

/** The last line the app printed, parsed; undefined when the runtime is not installed and the test was skipped. */
async function runApp<T>(t: TestContext, name: keyof typeof RUNTIMES, app: (typeof APPS)[number], env: Record<string, string> = {}): Promise<T | undefined> {
  if (!installed(t, name)) return undefined;
  const runtime = RUNTIMES[name];
  // A bounded wait: a process that does not end by itself is killed, and the test fails on the signal.
  const { stdout } = await run(runtime.binary, [...runtime.args, app], {
    cwd: packed.consumer,
    timeout: CHILD_TIMEOUT_MILLIS,
    env: appEnv(env),
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

async function deliversOnce(t: TestContext, name: keyof typeof RUNTIMES): Promise<void> {
  server.script = () => OK;
  const before = server.requests.length;
  const report = await runApp<{ ids: string[]; errors: string[]; delivered: number }>(t, name, 'app.mjs');
  if (report === undefined) return;
  assert.deepEqual(report.errors, []);
  assert.equal(report.ids.length, MESSAGES);
  assert.equal(report.delivered, MESSAGES);
  const arrived = server.requests.slice(before).flatMap((request) => request.messageIds);
  assert.deepEqual([...arrived].sort(), [...report.ids].sort(), 'every messageId arrives once');
  const authorization = server.requests.at(-1)!.headers.authorization;
  assert.equal(authorization, `Basic ${Buffer.from('runtime-key:').toString('base64')}`);
}

async function carriesTraceIds(t: TestContext, name: keyof typeof RUNTIMES): Promise<void> {
  server.script = () => OK;
  const before = server.requests.length;
  const report = await runApp<{ id: string; traceId: string; spanId: string; errors: string[]; delivered: number }>(t, name, 'trace-ids.mjs');
  if (report === undefined) return;
  assert.deepEqual(report.errors, []);
  assert.equal(report.delivered, 1);
  assert.match(report.traceId, /^[0-9a-f]{32}$/);
  assert.match(report.spanId, /^[0-9a-f]{16}$/);
  const messages = server.requests.slice(before).flatMap((request) => request.body?.batch ?? []);
  assert.equal(messages.length, 1);
  const [message] = messages as Array<{ messageId: string; context: { otel?: { traceId?: string; spanId?: string } } }>;
  assert.equal(message!.messageId, report.id);
  assert.equal(message!.context.otel?.traceId, report.traceId, 'the span active across the await gives its trace id');
  assert.equal(message!.context.otel?.spanId, report.spanId);
}

async function sendsSpoolOnNextRun(t: TestContext, name: keyof typeof RUNTIMES): Promise<void> {
  type Report = { ids: string[]; errors: string[]; delivered: number };
  const spool = await mkdtemp(join(packed.dir, `spool-${name}-`));
  const env = { SPOOL_DIR: spool };
  // The server is up but refuses every batch: nothing it answers counts as delivered.
  server.script = () => reply(503);
  const before = server.requests.length;
  const first = await runApp<Report>(t, name, 'storage.mjs', { ...env, COUNT: String(SPOOLED), CLOSE_TIMEOUT_MILLIS: '1000' });
  if (first === undefined) return;
  assert.equal(first.ids.length, SPOOLED);
  assert.equal(first.delivered, 0);
  assert.deepEqual(first.errors, ['MR_ERR_KEPT_IN_STORAGE'], 'the close deadline leaves the messages on disk and says so');
  assert.deepEqual(server.ingestedIds().filter((id) => first.ids.includes(id)), []);
  // The server is back: a second run on the same directory, tracking nothing, sends what the first left.
  server.script = () => OK;
  const second = await runApp<Report>(t, name, 'storage.mjs', { ...env, COUNT: '0' });
  assert.deepEqual(second!.errors, []);
  assert.equal(second!.delivered, SPOOLED);
  const arrived = server.requests.slice(before).filter((request) => request.status === 200).flatMap((request) => request.messageIds);
  assert.deepEqual([...arrived].sort(), [...first.ids].sort(), 'every spooled messageId arrives once');
}

async function sendsSpoolAfterKill(t: TestContext, name: keyof typeof RUNTIMES): Promise<void> {
  if (!installed(t, name)) return;
  const runtime = RUNTIMES[name];
  const spool = await mkdtemp(join(packed.dir, `killed-${name}-`));
  server.script = () => reply(503);
  const before = server.requests.length;
  // A close deadline far off: the app is still retrying when it is killed, its lock file left behind.
  const child = spawn(runtime.binary, [...runtime.args, 'storage.mjs'], { cwd: packed.consumer, stdio: 'ignore', env: appEnv({ SPOOL_DIR: spool, COUNT: String(SPOOLED), CLOSE_TIMEOUT_MILLIS: '60000' }) });
  const exited = once(child, 'exit');
  try {
    // Every call is on disk before the first send leaves: the tracking loop does not yield.
    await server.waitForRequests(before + 1, CHILD_TIMEOUT_MILLIS);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  assert.ok(existsSync(join(spool, 'lock')), 'the killed process left its lock file');
  const refused = new Set(server.requests.slice(before).flatMap((request) => request.messageIds));
  assert.ok(refused.size > 0);
  server.script = () => OK;
  const after = server.requests.length;
  const next = await runApp<{ errors: string[]; delivered: number }>(t, name, 'storage.mjs', { SPOOL_DIR: spool, COUNT: '0' });
  assert.deepEqual(next!.errors, []);
  assert.equal(next!.delivered, SPOOLED);
  const arrived = server.requests.slice(after).filter((request) => request.status === 200).flatMap((request) => request.messageIds);
  assert.equal(new Set(arrived).size, SPOOLED, 'every spooled messageId arrives once');
  assert.equal(arrived.length, SPOOLED);
  for (const id of refused) assert.ok(arrived.includes(id), `${id}, refused before the kill, is delivered by the next run`);
}

test('on Bun, an app delivers every message once, flush() resolves, and the process exits 0 by itself', { timeout: 120_000 }, async (t) => {
  await deliversOnce(t, 'bun');
});

test('on Deno, an app delivers every message once, flush() resolves, and the process exits 0 by itself', { timeout: 120_000 }, async (t) => {
  await deliversOnce(t, 'deno');
});

test('on Bun, a call inside startActiveSpan, after an await, carries the span\'s trace and span ids', { timeout: 120_000 }, async (t) => {
  await carriesTraceIds(t, 'bun');
});

test('on Deno, a call inside startActiveSpan, after an await, carries the span\'s trace and span ids', { timeout: 120_000 }, async (t) => {
  await carriesTraceIds(t, 'deno');
});

test('on Bun, messages a refusing server did not take stay in storage and the next run delivers each once', { timeout: 120_000 }, async (t) => {
  await sendsSpoolOnNextRun(t, 'bun');
});

test('on Deno, messages a refusing server did not take stay in storage and the next run delivers each once', { timeout: 120_000 }, async (t) => {
  await sendsSpoolOnNextRun(t, 'deno');
});

test('on Bun, a run after a process killed with SIGKILL takes over its lock and delivers what it spooled, each once', { timeout: 120_000 }, async (t) => {
  await sendsSpoolAfterKill(t, 'bun');
});

test('on Deno, a run after a process killed with SIGKILL takes over its lock and delivers what it spooled, each once', { timeout: 120_000 }, async (t) => {
  await sendsSpoolAfterKill(t, 'deno');
});

test('on Deno without --allow-sys, storage is refused at construction with a ConfigurationError naming the flag', { timeout: 120_000 }, async (t) => {
  if (!installed(t, 'deno')) return;
  const spool = await mkdtemp(join(packed.dir, 'no-sys-'));
  const failed = await run(RUNTIMES.deno.binary, ['run', '--allow-net', '--allow-env', '--allow-read', '--allow-write', 'storage.mjs'], {
    cwd: packed.consumer,
    timeout: CHILD_TIMEOUT_MILLIS,
    env: appEnv({ SPOOL_DIR: spool, COUNT: '1' }),
  }).then(
    () => undefined,
    (error: { code?: number; stderr?: string }) => error,
  );
  assert.ok(failed !== undefined, 'the app does not run without the permission the lock needs');
  assert.notEqual(failed.code, 0);
  assert.match(failed.stderr ?? '', /ConfigurationError: storage\.directory is invalid/);
  assert.match(failed.stderr ?? '', /--allow-sys/);
  assert.doesNotMatch(failed.stderr ?? '', /runtime-key/);
});
