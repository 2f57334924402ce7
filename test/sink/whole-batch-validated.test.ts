import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { startSink } from '../../src/index.js';

// The built CLI, as `npx metarouter-otel` runs it: <repo>/dist/cli/main.js, from <build dir>/test/sink.
const CLI = join(resolve(__dirname, '..', '..', '..'), 'dist', 'cli', 'main.js');

test('a batch with one message that is not an object is answered 400 and none of it is recorded, so a retry cannot record it twice', async () => {
  const lines: string[] = [];
  const sink = await startSink({ port: 0, onLine: (line) => lines.push(line) });
  try {
    const good = { type: 'track', userId: 'u', event: 'Good', messageId: 'good-1' };
    for (const bad of [null, 'text', 42, ['array'], true]) {
      const body = JSON.stringify({ batch: [good, bad], sentAt: new Date().toISOString(), writeKey: 'k' });
      const response = await fetch(`${sink.url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(response.status, 400, `batch [message, ${JSON.stringify(bad)}]`);
      assert.match(await response.text(), /batch\[1\]/, 'the answer names the bad element');
    }
    assert.deepEqual(sink.messages, []);
    assert.deepEqual(lines, []);
  } finally {
    await sink.close();
  }
});

test('CLI: an empty --port (`--port=`) is refused with exit 2 by sink and bridge, not taken as port 0', async () => {
  for (const args of [['sink', '--port='], ['sink', '--port', ' '], ['bridge', '--port='], ['bridge', '--port=', '--host', 'http://127.0.0.1:9', '--write-key', 'k']]) {
    const result = await new Promise<{ code: number | null; stderr: string }>((done) => {
      execFile(process.execPath, [CLI, ...args], { timeout: 8_000 }, (error, _stdout, stderr) => {
        done({ code: error === null ? 0 : ((error as { code?: number; killed?: boolean }).killed === true ? null : ((error as { code?: number }).code ?? null)), stderr });
      });
    });
    assert.equal(result.code, 2, `${args.join(' ')}: exit code (null means it kept running, listening on a random port)`);
    assert.match(result.stderr, /--port/);
  }
});
