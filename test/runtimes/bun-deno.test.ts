import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { CHILD_TIMEOUT_MILLIS, packAndInstall, REPO, type PackedPackage } from '../helpers/packed-package.js';

const run = promisify(execFile);
const MESSAGES = 12;

/** The runtimes' binaries, from their npm packages (devDependencies): no download at install or test time. */
const RUNTIMES = {
  bun: { binary: join(REPO, 'node_modules', '@oven', 'bun-linux-x64', 'bin', 'bun'), args: ['run'], from: '@oven/bun-linux-x64' },
  deno: { binary: join(REPO, 'node_modules', '@deno', 'linux-x64-glibc', 'deno'), args: ['run', '-A'], from: 'deno (its @deno/linux-x64-glibc binary)' },
} as const;

/** The example app (examples/bun-deno/app.mjs), as a user of the runtime writes it: track, flush, print, and nothing that ends the process for it. */
const APP = join(REPO, 'examples', 'bun-deno', 'app.mjs');

let packed: PackedPackage;
let server: FaultServer;

before(async () => {
  packed = await packAndInstall(['@opentelemetry/api@~1.9.0']);
  server = await startFaultServer();
  await packed.installed;
  await copyFile(APP, join(packed.consumer, 'app.mjs'));
});

after(async () => {
  await server?.close();
  await packed?.remove();
});

async function runApp(t: TestContext, name: keyof typeof RUNTIMES): Promise<void> {
  const runtime = RUNTIMES[name];
  if (!existsSync(runtime.binary)) {
    // CI installs the devDependencies: there a missing binary is a broken setup, not a reason to skip.
    if (process.env.CI === 'true') assert.fail(`${runtime.binary} is missing: npm ci installs it from ${runtime.from}`);
    t.skip(`${name} is not installed: run npm install (it comes from the devDependency ${runtime.from})`);
    return;
  }
  const before = server.requests.length;
  // A bounded wait: a process that does not end by itself is killed, and the test fails on the signal.
  const { stdout } = await run(runtime.binary, [...runtime.args, 'app.mjs'], {
    cwd: packed.consumer,
    timeout: CHILD_TIMEOUT_MILLIS,
    env: { ...process.env, METAROUTER_WRITE_KEY: 'runtime-key', METAROUTER_HOST: server.url, DENO_DIR: join(packed.dir, 'deno-cache'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
  });
  const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as { ids: string[]; errors: string[]; delivered: number };
  assert.deepEqual(report.errors, []);
  assert.equal(report.ids.length, MESSAGES);
  assert.equal(report.delivered, MESSAGES);
  const arrived = server.requests.slice(before).flatMap((request) => request.messageIds);
  assert.deepEqual([...arrived].sort(), [...report.ids].sort(), 'every messageId arrives once');
  const authorization = server.requests.at(-1)!.headers.authorization;
  assert.equal(authorization, `Basic ${Buffer.from('runtime-key:').toString('base64')}`);
}

test('on Bun, an app delivers every message once, flush() resolves, and the process exits 0 by itself', { timeout: 120_000 }, async (t) => {
  await runApp(t, 'bun');
});

test('on Deno, an app delivers every message once, flush() resolves, and the process exits 0 by itself', { timeout: 120_000 }, async (t) => {
  await runApp(t, 'deno');
});
