import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigurationError, replay, type MetaRouterError, type ReplayRetry } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';

const root = mkdtempSync(join(tmpdir(), 'metarouter-otel-replay-'));
after(() => rmSync(root, { recursive: true, force: true }));

const message = (id: string) => JSON.stringify({ type: 'track', messageId: id, event: 'E', userId: 'u' });
const ids = (file: string) => readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { messageId: string }).messageId);

test('replay run twice sends only what was not delivered: the progress record holds delivered messageIds, failures go to failedFile, appended lines are sent next time', async () => {
  const file = join(root, 'twice.ndjson');
  const failedFile = join(root, 'twice.failed.ndjson');
  writeFileSync(file, ['a', 'b', 'c', 'd', 'e'].map(message).join('\n') + '\n');
  let refuse = true;
  const server = await startIngestServer((request) => (refuse && request.messageIds.includes('c') ? { status: 400 } : { status: 200 }));
  const sent = () => server.requests.flatMap((request) => request.messageIds);
  try {
    const first = await replay({ file, failedFile, writeKey: 'k', host: server.url, flushAt: 1, onError: () => {} });
    assert.deepEqual(first, { lines: 5, delivered: 4, failed: 1, skipped: 0, invalid: 0, toSend: 5 });
    assert.deepEqual(ids(failedFile), ['c'], 'the undeliverable message is in failedFile');
    assert.ok(existsSync(`${file}.replay-progress`), 'the record sits beside the file');

    refuse = false;
    server.requests.length = 0;
    const second = await replay({ file, failedFile, writeKey: 'k', host: server.url, flushAt: 1 });
    assert.deepEqual(second, { lines: 5, delivered: 1, failed: 0, skipped: 4, invalid: 0, toSend: 1 });
    assert.deepEqual(sent(), ['c'], 'only what the first run did not deliver');
    assert.ok(!existsSync(failedFile), 'nothing failed this time: no failed file');

    server.requests.length = 0;
    // A crash mid-append leaves a torn line; it must not hide the next record.
    appendFileSync(`${file}.replay-progress`, '"torn');
    appendFileSync(file, `${message('f')}\n${message('a')}\n`);
    const third = await replay({ file, writeKey: 'k', host: server.url });
    assert.deepEqual(third, { lines: 7, delivered: 1, failed: 0, skipped: 6, invalid: 0, toSend: 1 });
    assert.deepEqual(sent(), ['f']);
    server.requests.length = 0;
    assert.equal((await replay({ file, writeKey: 'k', host: server.url })).toSend, 0);
    assert.deepEqual(sent(), [], 'everything recorded after the torn line');

    const again = await replay({ file, writeKey: 'k', host: server.url, progressFile: false });
    assert.equal(again.delivered, 6, 'progressFile: false sends every message (each id once)');
  } finally {
    await server.close();
  }
});

test('replay dryRun sends nothing and writes nothing, and counts what would be sent; bad lines are named by their line number in the file', async () => {
  const file = join(root, 'dry.ndjson');
  writeFileSync(file, [message('a'), '', 'not json', message('b'), message('a')].join('\n'));
  const server = await startIngestServer();
  const errors: MetaRouterError[] = [];
  try {
    const summary = await replay({ file, host: server.url, dryRun: true, onError: (error) => errors.push(error) });
    assert.deepEqual(summary, { lines: 4, delivered: 0, failed: 1, skipped: 1, invalid: 1, toSend: 2 });
    assert.equal(server.requests.length, 0);
    assert.ok(!existsSync(`${file}.replay-progress`), 'a dry run records nothing');
    assert.deepEqual(errors.map((error) => error.message), [`${file} line 3 is not a message (a JSON object with a messageId, at most 32768 bytes)`]);
  } finally {
    await server.close();
  }
});

test('replay reports each retry and its wait before it happens', async () => {
  const file = join(root, 'retry.ndjson');
  writeFileSync(file, `${message('r')}\n`);
  let calls = 0;
  const server = await startIngestServer(() => (++calls === 1 ? { status: 503, headers: { 'retry-after': '0' } } : { status: 200 }));
  const retries: ReplayRetry[] = [];
  try {
    const summary = await replay({ file, writeKey: 'k', host: server.url, onRetry: (retry) => retries.push(retry) });
    assert.equal(summary.delivered, 1);
    assert.deepEqual(retries, [{ messageCount: 1, attempt: 1, status: 503, delayMillis: 0 }]);
  } finally {
    await server.close();
  }
});

test('replay of a directory, or with failedFile or progressFile equal to the file, is a ConfigurationError with a code, not a raw EISDIR', async () => {
  const directory = join(root, 'a-directory');
  mkdirSync(directory);
  await assert.rejects(replay({ file: directory, writeKey: 'k', host: 'http://127.0.0.1:9' }), (error: unknown) => error instanceof ConfigurationError && error.code === 'MR_ERR_INVALID_OPTION' && /EISDIR/.test(error.message));
  const file = join(root, 'same.ndjson');
  writeFileSync(file, `${message('s')}\n`);
  await assert.rejects(replay({ file, failedFile: file, writeKey: 'k', host: 'http://127.0.0.1:9' }), (error: unknown) => error instanceof ConfigurationError && /failedFile is invalid/.test(error.message));
  await assert.rejects(replay({ file, progressFile: file, writeKey: 'k', host: 'http://127.0.0.1:9' }), (error: unknown) => error instanceof ConfigurationError && /progressFile is invalid/.test(error.message));
  assert.equal(readFileSync(file, 'utf8'), `${message('s')}\n`, 'the file is untouched');
});

test('a second replay of the same file while the first runs is refused, naming the progress record and who holds it; the first delivers all, once', async () => {
  const file = join(root, 'concurrent.ndjson');
  const failedFile = join(root, 'concurrent.failed.ndjson');
  writeFileSync(file, ['a', 'b', 'c'].map(message).join('\n') + '\n');
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let firstArrived!: () => void;
  const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
  const server = await startIngestServer(async () => {
    firstArrived();
    await released;
    return { status: 200 };
  });
  try {
    const first = replay({ file, failedFile, writeKey: 'k', host: server.url, flushAt: 1 });
    await arrived;
    await assert.rejects(
      replay({ file, failedFile, writeKey: 'k', host: server.url, flushAt: 1 }),
      (error: unknown) => error instanceof ConfigurationError && error.option === 'progressFile' && error.message.includes(`${file}.replay-progress`) && error.message.includes(`in use by another instance in this process`),
    );
    release();
    assert.equal((await first).delivered, 3);
    assert.deepEqual(server.requests.flatMap((request) => request.messageIds), ['a', 'b', 'c'], 'each message sent once');
    assert.equal((await replay({ file, writeKey: 'k', host: server.url })).toSend, 0, 'the record is free again once the first run ends');
  } finally {
    release();
    await server.close();
  }
});

test('replay reads a file with a line far over the message limit without holding that line: it is named as not a message, and the lines around it go', async () => {
  const file = join(root, 'long-line.ndjson');
  const long = Buffer.alloc(64 * 2 ** 20, 'a');
  writeFileSync(file, Buffer.concat([Buffer.from(`${message('a')}\n`), long, Buffer.from(`\n${message('b')}\n`)]));
  const server = await startIngestServer();
  const errors: MetaRouterError[] = [];
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 1);
  try {
    const summary = await replay({ file, writeKey: 'k', host: server.url, progressFile: false, onError: (error) => errors.push(error) });
    assert.deepEqual(summary, { lines: 3, delivered: 2, failed: 1, skipped: 0, invalid: 1, toSend: 2 });
    assert.deepEqual(errors.map((error) => [error.code, error.message]), [['MR_ERR_INVALID_RECORD', `${file} line 2 is not a message (a JSON object with a messageId, at most 32768 bytes)`]]);
    // Held whole, the 64 MiB line would be a 64 MiB string at least.
    assert.ok(peak - start < 16 * 2 ** 20, `the heap grew by ${((peak - start) / 2 ** 20).toFixed(0)} MiB while reading`);
  } finally {
    clearInterval(sampler);
    await server.close();
  }
});
