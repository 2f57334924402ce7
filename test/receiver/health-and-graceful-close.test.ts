import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { jsonLogsRequest, post, startBridgePipeline, trackRecord } from '../helpers/otlp-bridge.js';

/** A raw TCP connection to the bridge that collects what it answers. */
async function rawConnection(port: number): Promise<{ socket: Socket; answer: () => string; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, answer: () => text, closed };
}

const tick = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

test('GET/HEAD /healthz and /readyz answer 200 while the bridge runs', async () => {
  const pipeline = await startBridgePipeline();
  try {
    for (const path of ['/healthz', '/readyz']) {
      const get = await fetch(pipeline.url(path));
      assert.equal(get.status, 200, path);
      assert.deepEqual(await get.json(), { status: 'ok' });
      const head = await fetch(pipeline.url(path), { method: 'HEAD' });
      assert.equal(head.status, 200, `HEAD ${path}`);
      await head.arrayBuffer();
    }
  } finally {
    await pipeline.close();
  }
});

test('close(): readiness turns 503, new connections are refused, a request already in flight is answered 200, and every queued event is delivered before it resolves', async () => {
  // A long flush interval: what arrives is what close() delivered.
  const pipeline = await startBridgePipeline({ flushInterval: 60_000 });
  const { port } = pipeline.bridge;
  try {
    assert.equal((await post(pipeline.url('/v1/logs'), jsonLogsRequest([trackRecord('u-1', 'Queued Before Close')]))).status, 200);

    // Two requests in progress when close() is called: an export whose body is half sent, and a
    // readiness check whose headers are not finished.
    const probe = await rawConnection(port);
    probe.socket.write('GET /readyz HTTP/1.1\r\nHost: bridge\r\n');
    const exporter = await rawConnection(port);
    const body = jsonLogsRequest([trackRecord('u-1', 'In Flight During Close')]);
    exporter.socket.write(`POST /v1/logs HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`);
    await tick(30);

    let closed = false;
    const closing = pipeline.bridge.close(5000).then(() => (closed = true));
    await tick(30);
    await assert.rejects(fetch(pipeline.url('/healthz')), 'a new connection is refused');
    probe.socket.write('\r\n');
    await probe.closed;
    assert.match(probe.answer(), /^HTTP\/1\.1 503 /);
    assert.match(probe.answer(), /"status":"draining"/);
    assert.equal(closed, false, 'close() waits for the request in flight');

    exporter.socket.write(body.slice(20));
    await exporter.closed;
    assert.match(exporter.answer(), /^HTTP\/1\.1 200 /);
    assert.match(exporter.answer(), /\r\nconnection: close\r\n/i, 'the connection is not kept alive while draining');
    await closing;

    assert.deepEqual(pipeline.ingest.accepted.map((message) => message.event), ['Queued Before Close', 'In Flight During Close']);
    assert.equal(pipeline.bridge.counters.delivery.delivered, 2);
    await pipeline.bridge.close();
  } finally {
    await pipeline.close();
  }
});
