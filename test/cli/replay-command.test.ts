import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { startIngestServer } from '../helpers/ingest-server.js';

// The built CLI, as `npx metarouter-otel` runs it: <repo>/dist/cli/main.js, from <build dir>/test/cli.
const CLI = join(resolve(__dirname, '..', '..', '..'), 'dist', 'cli', 'main.js');
const root = mkdtempSync(join(tmpdir(), 'metarouter-otel-replay-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 10_000, env: { ...process.env, METAROUTER_WRITE_KEY: 'k' } }, (error, stdout, stderr) => {
      const failed = error as { code?: number; killed?: boolean } | null;
      done({ code: failed === null ? 0 : failed.killed === true ? null : (failed.code ?? null), stdout, stderr });
    });
  });
}

const message = (id: string) => JSON.stringify({ type: 'track', messageId: id, event: 'E', userId: 'u' });

test('replay command run twice: the second run sends only what failed; bad lines named by number, retries and waits shown, the failed file named; --dry-run sends nothing', { timeout: 30_000 }, async () => {
  const file = join(root, 'events.ndjson');
  writeFileSync(file, [message('a'), 'not json', '', message('b'), message('c')].join('\n') + '\n');
  let refuse = true;
  let calls = 0;
  const server = await startIngestServer((request) => {
    calls++;
    if (calls === 1) return { status: 503, headers: { 'retry-after': '0' } };
    return refuse && request.messageIds.includes('c') ? { status: 207, body: JSON.stringify({ Errors: [{ messageId: 'c' }] }) } : { status: 200 };
  });
  try {
    const dry = await runCli(['replay', file, '--host', server.url, '--dry-run']);
    assert.equal(dry.code, 1, `a line is not a message: ${dry.stderr}`);
    assert.match(dry.stdout, /^dry run of .*events\.ndjson: 4 lines, 3 to send, 1 not a message; nothing sent$/m);
    assert.equal(calls, 0, 'a dry run sends nothing');
    assert.ok(!existsSync(`${file}.replay-progress`));

    const first = await runCli(['replay', file, '--host', server.url]);
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /^metarouter-otel replay: .*events\.ndjson line 2 is not a message/m);
    assert.match(first.stderr, /^retrying 3 messages in 0\.0 s \(try 1 got status 503\)$/m);
    assert.match(first.stdout, /4 lines, 2 delivered, 2 failed \(1 not a message\)/);
    assert.match(first.stdout, new RegExp(`undeliverable messages written to ${file.replace(/[.]/g, '\\.')}\\.failed`));
    assert.deepEqual(readFileSync(`${file}.failed`, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { messageId: string }).messageId), ['c']);

    refuse = false;
    server.requests.length = 0;
    const second = await runCli(['replay', file, '--host', server.url]);
    assert.deepEqual(server.requests.flatMap((request) => request.messageIds), ['c'], 'only what the first run did not deliver');
    assert.match(second.stdout, /4 lines, 1 delivered, 1 failed \(1 not a message\), 2 skipped \(already delivered, per .*events\.ndjson\.replay-progress\)/);
    assert.ok(!existsSync(`${file}.failed`), 'nothing failed: no failed file left');

    writeFileSync(file, [message('a'), message('b'), message('c')].join('\n'));
    assert.equal((await runCli(['replay', file, '--host', server.url])).code, 0, 'all delivered (by now or before): exit 0');
    server.requests.length = 0;
    const all = await runCli(['replay', file, '--host', server.url, '--no-progress']);
    assert.equal(all.code, 0);
    assert.equal(server.requests.flatMap((request) => request.messageIds).length, 3, '--no-progress sends everything');
  } finally {
    await server.close();
  }
});

test('replay command: a directory, or a missing file, is one line and exit 2', async () => {
  const directory = join(root, 'dir');
  mkdirSync(directory);
  for (const target of [directory, join(root, 'missing.ndjson')]) {
    const result = await runCli(['replay', target, '--host', 'http://127.0.0.1:9']);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^metarouter-otel replay: file is invalid, expected a readable NDJSON file, .*\((EISDIR|ENOENT)\)$/m);
  }
});
