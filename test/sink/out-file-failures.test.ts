import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigurationError, MetaRouterError, startSink } from '../../src/index.js';

// The built CLI, as `npx metarouter-otel` runs it: <repo>/dist/cli/main.js, from <build dir>/test/sink.
const CLI = join(resolve(__dirname, '..', '..', '..'), 'dist', 'cli', 'main.js');

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metarouter-otel-sink-out-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function post(url: string, messages: unknown[]): Promise<number> {
  const body = JSON.stringify({ batch: messages, sentAt: new Date().toISOString(), writeKey: 'k' });
  return fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (response) => {
    await response.text();
    return response.status;
  });
}

test('startSink({ out }) on a path that cannot be opened rejects with a ConfigurationError naming `out`, and listens on nothing', async () => {
  for (const out of [join(dir, 'no-such-dir', 'events.ndjson'), dir]) {
    await assert.rejects(startSink({ port: 0, out }), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError, `a ConfigurationError for ${out}: ${String(error)}`);
      assert.equal(error.option, 'out');
      assert.equal(error.code, 'MR_ERR_INVALID_OPTION');
      assert.ok(error.message.includes(out), error.message);
      return true;
    });
  }
});

test('a write that fails later (a full disk) is reported on the error channel; the sink keeps serving and keeps the messages', async () => {
  const sink = await startSink({ port: 0, out: '/dev/full' });
  const errors: MetaRouterError[] = [];
  sink.on('error', (error) => errors.push(error));
  try {
    assert.equal(await post(sink.url, [{ type: 'track', userId: 'u', event: 'Disk Full', messageId: 'full-1' }]), 200);
    await new Promise((done) => setTimeout(done, 50));
    assert.equal(await post(sink.url, [{ type: 'track', userId: 'u', event: 'Still Here', messageId: 'full-2' }]), 200);
    await new Promise((done) => setTimeout(done, 50));
    assert.deepEqual(sink.messages.map((message) => message.messageId), ['full-1', 'full-2']);
    assert.ok(errors.length >= 1, 'the failure is reported');
    assert.equal(errors[0]?.code, 'MR_ERR_SINK_WRITE_FAILED');
    assert.match(errors[0]!.message, /\/dev\/full/);
  } finally {
    await sink.close();
  }
});

test('CLI: `sink --out` to an unwritable path exits 2 with one clear line on stderr, no stack trace, and never claims to listen', async () => {
  const out = join(dir, 'no-such-dir', 'events.ndjson');
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    execFile(process.execPath, [CLI, 'sink', '--port', '0', '--out', out], { timeout: 8_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), stdout, stderr });
    });
  });
  assert.equal(result.code, 2, `exit code; stderr: ${result.stderr}`);
  assert.equal(result.stdout, '', 'nothing claims it is listening');
  assert.ok(result.stderr.includes(out), result.stderr);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
});
