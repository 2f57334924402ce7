import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { Analytics, ConfigurationError, replay, type MetaRouterError } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';

const CLI = resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');
const root = mkdtempSync(join(tmpdir(), 'metarouter-otel-dead-'));
after(() => rmSync(root, { recursive: true, force: true }));

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);

test('messages given up for good (400, retries exhausted, 207, close deadline) are kept in the dead-letter file as the JSON that was sent; replay() sends them again with their messageIds', async () => {
  const file = join(root, 'dead.ndjson');
  let calls = 0;
  const server = await startIngestServer((request) => {
    calls++;
    if (request.messageIds.includes('rejected-0')) return { status: 400 };
    if (request.messageIds.includes('exhausted-0')) return { status: 503 };
    if (request.messageIds.includes('partial-0')) return { status: 207, body: JSON.stringify({ Errors: [{ messageId: 'partial-1' }] }) };
    if (request.messageIds.includes('stalled-0')) return 'stall';
    return { status: 200 };
  });
  const analytics = new Analytics({ writeKey: 'k', host: server.url, deadLetterFile: file, flushAt: 2, maxRetries: 1, httpRequestTimeout: 5000 });
  const errors: MetaRouterError[] = [];
  analytics.on('error', (error) => errors.push(error));
  const send = (prefix: string) => [0, 1].map((i) => analytics.track({ userId: 'u', event: prefix, messageId: `${prefix}-${i}`, properties: { i } }));
  try {
    send('rejected');
    send('exhausted');
    send('partial');
    send('fine');
    await new Promise((resolveWait) => setTimeout(resolveWait, 1500));
    send('stalled');
    await analytics.closeAndFlush({ timeout: 200 });
  } finally {
    await server.close();
  }
  const kept = lines(file);
  assert.deepEqual(kept.map((message) => message.messageId).sort(), ['exhausted-0', 'exhausted-1', 'partial-1', 'rejected-0', 'rejected-1', 'stalled-0', 'stalled-1']);
  assert.deepEqual(new Set(errors.map((error) => error.code)), new Set(['MR_ERR_REJECTED', 'MR_ERR_RETRIES_EXHAUSTED', 'MR_ERR_PARTIAL_REJECTED', 'MR_ERR_SHUTDOWN_TIMEOUT']));
  assert.equal(kept.find((message) => message.messageId === 'partial-1')!.event, 'partial');
  assert.ok(calls > 0);

  const up = await startIngestServer();
  const progress: number[] = [];
  try {
    const summary = await replay({ file, writeKey: 'k', host: up.url, maxQueueSize: 3, onProgress: (step) => progress.push(step.delivered) });
    assert.deepEqual(summary, { lines: 7, delivered: 7, failed: 0, skipped: 0, invalid: 0, toSend: 7 });
    assert.deepEqual(up.accepted.map((message) => message.messageId), kept.map((message) => message.messageId), 'in file order, ids kept');
    assert.deepEqual(up.accepted, kept, 'the same JSON');
    assert.ok(progress.length >= 3 && progress.at(-1) === 7, `progress ${progress.join(',')}`);
  } finally {
    await up.close();
  }
});

test('replay: lines that are not messages are counted and reported, a missing file is a ConfigurationError, and a 400 counts as failed', async () => {
  const file = join(root, 'mixed.ndjson');
  writeFileSync(file, ['{"type":"track","messageId":"a","event":"A","userId":"u"}', 'not json', '[1]', '{"type":"track","event":"no id"}', '', '{"type":"track","messageId":"b","event":"B","userId":"u"}', ''].join('\n'));
  const server = await startIngestServer((request) => (request.messageIds.includes('b') ? { status: 400 } : { status: 200 }));
  const errors: MetaRouterError[] = [];
  try {
    const summary = await replay({ file, writeKey: 'k', host: server.url, flushAt: 1, onError: (error) => errors.push(error) });
    assert.deepEqual(summary, { lines: 5, delivered: 1, failed: 4, skipped: 0, invalid: 3, toSend: 2 });
    assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_INVALID_RECORD', 'MR_ERR_INVALID_RECORD', 'MR_ERR_INVALID_RECORD', 'MR_ERR_REJECTED']);
    await assert.rejects(replay({ file: join(root, 'missing.ndjson'), writeKey: 'k', host: server.url }), (error: unknown) => error instanceof ConfigurationError && /ENOENT/.test(error.message));
    assert.throws(() => new Analytics({ writeKey: 'k', host: server.url, deadLetterFile: join(root, 'no', 'such', 'dir', 'dead.ndjson') }), /deadLetterFile is invalid/);
  } finally {
    await server.close();
  }
});

test('dead letters hold the writeKey: an existing group/world-readable file is narrowed to 0600, and replay sends each message with the configured (rotated) key, not the old one inside it', async () => {
  const file = join(root, 'rotated.ndjson');
  writeFileSync(file, '', { mode: 0o644 });
  chmodSync(file, 0o644);
  const server = await startIngestServer(() => ({ status: 400 }));
  const analytics = new Analytics({ writeKey: 'old-key', host: server.url, deadLetterFile: file, flushAt: 1 });
  analytics.on('error', () => {});
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const id = analytics.track({ userId: 'u', event: 'E' });
  await analytics.closeAndFlush();
  await server.close();
  assert.deepEqual(lines(file).map((line) => [line.messageId, line.writeKey]), [[id, 'old-key']]);

  const up = await startIngestServer();
  try {
    await replay({ file, writeKey: 'new-key', host: up.url });
    assert.deepEqual(up.requests.map((request) => request.body.writeKey), ['new-key']);
    assert.deepEqual(up.accepted.map((message) => [message.messageId, message.writeKey]), [[id, 'new-key']]);
  } finally {
    await up.close();
  }
});

test('the replay command: a progress line per step, a summary, exit 0 when all arrived and 1 otherwise', async () => {
  const file = join(root, 'cli.ndjson');
  writeFileSync(file, Array.from({ length: 5 }, (_, i) => JSON.stringify({ type: 'track', messageId: `cli-${i}`, event: 'E', userId: 'u' })).join('\n') + '\n');
  const server = await startIngestServer();
  try {
    const run = promisify(execFile);
    const ok = await run(process.execPath, [CLI, 'replay', file, '--host', server.url], { env: { ...process.env, METAROUTER_WRITE_KEY: 'k' } });
    assert.match(ok.stdout, /5 lines, 5 delivered, 0 failed/);
    assert.match(ok.stderr, /\[#{30}\] 5\/5 read, 5 delivered, 0 failed/);
    assert.deepEqual(server.accepted.map((message) => message.messageId), ['cli-0', 'cli-1', 'cli-2', 'cli-3', 'cli-4']);
    writeFileSync(file, 'garbage\n');
    await assert.rejects(run(process.execPath, [CLI, 'replay', file, '--host', server.url], { env: { ...process.env, METAROUTER_WRITE_KEY: 'k' } }), (error: { code?: number; stdout?: string }) => error.code === 1 && /1 failed/.test(error.stdout ?? ''));
  } finally {
    await server.close();
  }
});
