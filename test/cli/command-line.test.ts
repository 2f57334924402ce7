import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { startIngestServer } from '../helpers/ingest-server.js';
import { jsonLogsRequest, post, trackRecord } from '../helpers/otlp-bridge.js';

// The built CLI, as `npx metarouter-otel` runs it: <repo>/dist/cli/main.js, from <build dir>/test/cli.
const REPO = resolve(__dirname, '..', '..', '..');
const CLI = join(REPO, 'dist', 'cli', 'main.js');
const { METAROUTER_WRITE_KEY: _key, METAROUTER_HOST: _host, ...CLEAN_ENV } = process.env;

function runCli(args: string[], env: NodeJS.ProcessEnv = CLEAN_ENV): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 8_000, env }, (error, stdout, stderr) => {
      const failed = error as { code?: number; killed?: boolean } | null;
      done({ code: failed === null ? 0 : failed.killed === true ? null : (failed.code ?? null), stdout, stderr });
    });
  });
}

/** A refusal: exit `code`, nothing on stdout, exactly one line on stderr, and no usage dump. */
function assertOneLine(result: { code: number | null; stdout: string; stderr: string }, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, `exit code; stderr ${result.stderr}`);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, `one line: ${result.stderr}`);
  assert.doesNotMatch(result.stderr, /Usage:|Commands:/);
  assert.match(result.stderr, pattern);
}

test('CLI: --help at the top and on every command exits 0 with the options and the exit codes; --version prints the package version', async () => {
  for (const args of [[], ['--help'], ['-h'], ['help']]) {
    const top = await runCli(args);
    assert.equal(top.code, 0, args.join(' '));
    assert.match(top.stdout, /Commands:\n {2}sink .*\n {2}bridge .*\n {2}replay .*\n {2}plan /);
    assert.match(top.stdout, /Exit codes:\n {2}0 .*\n(.*\n)* {2}3 /);
  }
  const expected: Record<string, string[]> = {
    sink: ['--port N', '--out FILE', '--fault KIND[:N]', '--plan FILE'],
    bridge: ['--flush-at N', '--flush-interval MS', '--write-key KEY', '--storage DIR'],
    replay: ['--dry-run', '--progress-file F', '--no-progress', '--failed-file F'],
    plan: ['--import-from NAME', '--messages FILE'],
  };
  for (const [command, flags] of Object.entries(expected)) {
    for (const args of [[command, '--help'], [command, '-h'], ['help', command], [command, '--port', '1', '--bogus', '--help']]) {
      const result = await runCli(args);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr, '');
      assert.match(result.stdout, new RegExp(`^Usage: metarouter-otel ${command}`));
      for (const flag of [...flags, '-h, --help']) assert.ok(result.stdout.includes(flag), `${command} --help lists ${flag}`);
      assert.match(result.stdout, /Exit codes:/);
    }
  }
  const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-v']) assert.deepEqual(await runCli([flag]), { code: 0, stdout: `${version}\n`, stderr: '' });
});

test('CLI: a wrong command line is one line naming the problem and exit 2, never the usage', async () => {
  assertOneLine(await runCli(['sink', '--bogus']), 2, /^metarouter-otel sink: unknown option '--bogus' \(metarouter-otel sink --help\)$/m);
  assertOneLine(await runCli(['launch']), 2, /^metarouter-otel: unknown command "launch"/);
  for (const help of ['help', '--help', '-h']) assertOneLine(await runCli([help, 'launch']), 2, /^metarouter-otel: unknown command "launch"/);
  assertOneLine(await runCli(['replay']), 2, /replay takes one FILE/);
  assertOneLine(await runCli(['sink', '--port']), 2, /--port needs a value/);
  assertOneLine(await runCli(['sink', 'extra']), 2, /unexpected argument 'extra'/);
  assertOneLine(await runCli(['bridge', '--port', '0', '--host', 'http://127.0.0.1:9']), 2, /^metarouter-otel bridge: .*writeKey/);
  assertOneLine(await runCli(['bridge', '--port', '0', '--write-key', 'k', '--host', 'http://127.0.0.1:9', '--flush-interval', '1s']), 2, /--flush-interval must be a whole number, got "1s"/);
  assertOneLine(await runCli(['bridge', '--port', '0', '--write-key', 'k', '--host', 'http://127.0.0.1:9', '--flush-at', '0']), 2, /flushAt is invalid/);
  assertOneLine(await runCli(['plan', 'lint', 'x.json']), 2, /unknown plan action "lint"/);
});

test('CLI: bridge refuses a bad --unplanned-events, --unplanned-properties or --other-violations even without --plan: exit 2, one line', async () => {
  const base = ['bridge', '--port', '0', '--hostname', '127.0.0.1', '--write-key', 'k', '--host', 'http://127.0.0.1:9'];
  for (const [flag, option] of [['--unplanned-events', 'unplannedEvents'], ['--unplanned-properties', 'unplannedProperties'], ['--other-violations', 'otherViolations']]) {
    assertOneLine(await runCli([...base, flag, 'bogus']), 2, new RegExp(`^metarouter-otel bridge: planEnforcement\\.${option} is invalid, expected .*, actual "bogus"$`, 'm'));
  }
});

test('CLI: a port in use is one line naming it and exit 3; data in an error line is escaped for the terminal', async () => {
  const taken = createServer();
  await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
  const { port } = taken.address() as AddressInfo;
  try {
    assertOneLine(await runCli(['sink', '--port', String(port)]), 3, new RegExp(`^metarouter-otel sink: cannot listen on 127\\.0\\.0\\.1:${port}: it is in use \\(EADDRINUSE\\)`));
    assertOneLine(await runCli(['bridge', '--port', String(port), '--write-key', 'k', '--host', 'http://127.0.0.1:9']), 3, /EADDRINUSE/);
  } finally {
    taken.close();
  }
  const hostile = await runCli(['sink', '--port', '0', '--out', '/no/such/dir/\u001b]0;title\u0007\nforged.ndjson']);
  assertOneLine(hostile, 2, /\\x1b\]0;title\\x07\\nforged/);
});

test('CLI bridge: --flush-at and --flush-interval reach delivery, so events arrive without waiting for shutdown', { timeout: 15_000 }, async () => {
  const ingest = await startIngestServer();
  const child = spawn(process.execPath, [CLI, 'bridge', '--port', '0', '--host', ingest.url, '--flush-at', '1000', '--flush-interval', '50'], {
    env: { ...CLEAN_ENV, METAROUTER_WRITE_KEY: 'k' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  try {
    const first = (await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next()).value as string;
    const logs = `${/listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(first)![1]}/v1/logs`;
    assert.equal((await post(logs, jsonLogsRequest([trackRecord('u', 'Flushed By Interval')]))).status, 200);
    // The default interval is 10 s: this wait (half of it) ends only because --flush-interval took effect.
    await ingest.waitForAccepted(1, 5_000);
    assert.equal(ingest.accepted[0]!.event, 'Flushed By Interval');

    assert.equal((await post(logs, jsonLogsRequest([trackRecord('u', 'A'), trackRecord('u', 'B')]))).status, 200);
    await ingest.waitForAccepted(3, 5_000);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await ingest.close();
  }
});
