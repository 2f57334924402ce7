import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGzip, gzipSync } from 'node:zlib';
import { google } from '../../src/receiver/generated/otlp.js';
import { jsonLogsRequest, post, startBridgePipeline, trackRecord, type Answer } from '../helpers/otlp-bridge.js';

const PROTOBUF = { 'content-type': 'application/x-protobuf' };

/** The message of a `google.rpc.Status` error body, in whichever encoding it came. */
function statusMessage(answer: Answer): string {
  if (answer.headers.get('content-type') === 'application/x-protobuf') return google.rpc.Status.decode(answer.body).message;
  return (JSON.parse(answer.body.toString()) as { message: string }).message;
}

/** `megabytes` MB of zeros, gzipped as a stream so that this process never holds them. */
async function gzipBomb(megabytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < megabytes; i++) if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
  gzip.end();
  await done;
  return Buffer.concat(chunks);
}

test('bodies over maxBodyBytes get 413: by Content-Length, streamed without one, and after gzip decompression', async () => {
  const pipeline = await startBridgePipeline({ maxBodyBytes: 4000 });
  try {
    const padded = trackRecord('u-1', 'x'.repeat(5000));
    const declared = await post(pipeline.url('/v1/logs'), jsonLogsRequest([padded]));
    assert.equal(declared.status, 413);
    assert.match(statusMessage(declared), /over 4000 bytes/);

    const chunks = [Buffer.from(jsonLogsRequest([padded]))];
    const streamed = await fetch(pipeline.url('/v1/logs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(next);
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.status, 413, 'chunked, with no Content-Length');
    await streamed.arrayBuffer();

    const zipped = gzipSync(jsonLogsRequest([padded]));
    assert.ok(zipped.length < 4000, 'the compressed body is under the cap');
    const inflated = await post(pipeline.url('/v1/logs'), zipped, { 'content-encoding': 'gzip' });
    assert.equal(inflated.status, 413, 'the cap applies after decompression');

    const fine = await post(pipeline.url('/v1/logs'), gzipSync(jsonLogsRequest([trackRecord('u-1', 'Fits')])), { 'content-encoding': 'gzip' });
    assert.equal(fine.status, 200, 'still serving');
    await pipeline.ingest.waitForAccepted(1);
    assert.deepEqual(pipeline.ingest.accepted.map((message) => message.event), ['Fits']);
  } finally {
    await pipeline.close();
  }
});

test('a gzip bomb (200 MB of zeros in a few hundred KB) is refused with 413 at the 64 MiB default cap, without the memory of the bomb', async () => {
  const bomb = await gzipBomb(200);
  assert.ok(bomb.length < 1024 * 1024, `the bomb is small on the wire (${bomb.length} bytes)`);
  const pipeline = await startBridgePipeline();
  try {
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    const answer = await post(pipeline.url('/v1/logs'), bomb, { ...PROTOBUF, 'content-encoding': 'gzip' });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);

    assert.equal(answer.status, 413);
    assert.match(statusMessage(answer), /over 67108864 bytes/);
    const grownMegabytes = (peak - baseline) / 1e6;
    assert.ok(grownMegabytes < 120, `memory grew by ${grownMegabytes.toFixed(0)} MB, not by the bomb's 200 MB`);
    assert.equal(pipeline.bridge.counters.queued, 0);
  } finally {
    await pipeline.close();
  }
});

test('other content types and content codings get 415; other methods 405 with Allow; other paths 404', async () => {
  const pipeline = await startBridgePipeline();
  try {
    const body = jsonLogsRequest([trackRecord('u-1', 'Never')]);
    assert.equal((await post(pipeline.url('/v1/logs'), body, { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await post(pipeline.url('/v1/logs'), body, { 'content-type': 'application/grpc' })).status, 415);
    const brotli = await post(pipeline.url('/v1/traces'), body, { 'content-encoding': 'br' });
    assert.equal(brotli.status, 415);
    assert.match(statusMessage(brotli), /Content-Encoding/);
    assert.equal((await post(pipeline.url('/v1/logs'), body, { 'content-type': 'Application/JSON; charset=utf-8' })).status, 200, 'media type parameters and case do not matter');

    for (const [method, path] of [['GET', '/v1/logs'], ['PUT', '/v1/traces']] as const) {
      const response = await fetch(pipeline.url(path), { method });
      await response.arrayBuffer();
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), 'POST');
    }
    const deleteHealth = await fetch(pipeline.url('/healthz'), { method: 'DELETE' });
    await deleteHealth.arrayBuffer();
    assert.equal(deleteHealth.status, 405);
    assert.equal(deleteHealth.headers.get('allow'), 'GET, HEAD');

    for (const path of ['/v1/metrics', '/', '/v1/logs/extra']) {
      assert.equal((await post(pipeline.url(path), body)).status, 404, path);
    }
    await pipeline.ingest.waitForAccepted(1);
    assert.equal(pipeline.ingest.accepted.length, 1, 'only the one valid request was taken');
  } finally {
    await pipeline.close();
  }
});

test('undecodable bodies get 400, answered in the request’s content type', async () => {
  const pipeline = await startBridgePipeline();
  try {
    const bad: Array<[string, string, string | Uint8Array, Record<string, string>]> = [
      ['truncated protobuf', '/v1/logs', Buffer.from([0x0a, 0xff, 0xff, 0x01]), PROTOBUF],
      ['truncated protobuf', '/v1/traces', Buffer.from([0x0a, 0x05, 0x12, 0x03]), PROTOBUF],
      ['protobuf with a wrong wire type for a message', '/v1/logs', Buffer.from([0x0d, 0x01, 0x02, 0x03]), PROTOBUF],
      ['not JSON', '/v1/logs', 'resourceLogs: []', {}],
      ['a JSON array', '/v1/traces', '[]', {}],
      ['resourceLogs not an array', '/v1/logs', '{"resourceLogs": 5}', {}],
      ['not gzip', '/v1/logs', 'plain text', { 'content-encoding': 'gzip' }],
      ['a trace id that is not hex', '/v1/logs', jsonLogsRequest([{ ...trackRecord('u-1', 'Bad Id'), traceId: 'not-a-trace-id', spanId: 'b7ad6b7169203331' }]), {}],
      ['an intValue that is not an integer', '/v1/logs', jsonLogsRequest([{ eventName: 'analytics.track', attributes: [{ key: 'analytics.user_id', value: { intValue: 'twelve' } }] }]), {}],
    ];
    for (const [what, path, body, headers] of bad) {
      const answer = await post(pipeline.url(path), body, headers);
      assert.equal(answer.status, 400, `${what} to ${path}`);
      assert.equal(answer.headers.get('content-type'), headers['content-type'] ?? 'application/json', `${what}: answered in the request's encoding`);
      assert.ok(statusMessage(answer).length > 0, `${what}: a Status with a message`);
    }

    let nested: Record<string, unknown> = { stringValue: 'bottom' };
    for (let depth = 0; depth < 1000; depth++) nested = { arrayValue: { values: [nested] } };
    const deep = await post(pipeline.url('/v1/logs'), jsonLogsRequest([{ eventName: 'analytics.identify', body: nested }]));
    assert.equal(deep.status, 400, 'values nested too deep');

    assert.equal(pipeline.bridge.counters.queued, 0);
    assert.equal((await post(pipeline.url('/v1/logs'), jsonLogsRequest([trackRecord('u-1', 'After')]))).status, 200, 'still serving');
  } finally {
    await pipeline.close();
  }
});
