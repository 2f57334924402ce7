import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';

// The built CLI, as `npx metarouter-otel` runs it: <repo>/dist/cli/main.js, from <build dir>/test/sink.
const CLI = join(resolve(__dirname, '..', '..', '..'), 'dist', 'cli', 'main.js');

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 8_000 }, (error, stdout, stderr) => {
      const failed = error as { code?: number; killed?: boolean } | null;
      done({ code: failed === null ? 0 : failed.killed === true ? null : (failed.code ?? null), stdout, stderr });
    });
  });
}

test('CLI: bad debugger flags exit 2 with a message naming the flag, and never listen', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['sink', '--port', '0', '--hostname', '0.0.0.0'], /token is required/],
    [['sink', '--port', '0', '--fault', 'teapot'], /--fault must be KIND\[:N\]/],
    [['sink', '--port', '0', '--fault', '500:'], /--fault count/],
    [['sink', '--port', '0', '--trace-url', 'javascript:alert({traceId})'], /traceUrl is invalid/],
    [['sink', '--port', '0', '--max-history', '0'], /maxHistory is invalid/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args);
    assert.equal(result.code, 2, `${args.join(' ')}: exit code; stderr ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stdout, '');
  }
});

test('CLI: --fault 429:1 --retry-after 9 answers the first batch 429 with Retry-After 9, then accepts; --token is needed for the page', { timeout: 8_000 }, async () => {
  const child = spawn(process.execPath, [CLI, 'sink', '--port', '0', '--fault', '429:1', '--retry-after', '9', '--token', 'tok'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  try {
    const first = (await lines.next()).value as string;
    const url = /(http:\/\/127\.0\.0\.1:\d+)\/v1\/batch/.exec(first)![1]!;
    assert.equal((await lines.next()).value, `live debugger: ${url}/?token=tok`);
    const body = JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'E', messageId: 'cli-fault' }], sentAt: new Date().toISOString(), writeKey: 'k' });
    const send = () => fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const limited = await send();
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '9');
    await limited.text();
    const accepted = await send();
    assert.equal(accepted.status, 200);
    await accepted.text();
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 401);
    await page.text();
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  }
});
