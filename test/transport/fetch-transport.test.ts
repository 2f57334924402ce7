import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
// The Node entry provides undici as it loads (the edge entry does not).
import '../../src/index.js';
import { FetchTransport } from '../../src/transport/fetch-transport.js';
import { HttpTransport } from '../../src/transport/http-transport.js';
import { chooseTransport } from '../../src/transport/choose-transport.js';
import type { Transport, TransportResult } from '../../src/transport/transport-result.js';
import { partial, refusedUrl, reply, retryAfter, startFaultServer, type Fault } from '../helpers/fault-server.js';

const KEY = 'wk-secret/é';
const BODY = Buffer.from(JSON.stringify({ batch: [{ messageId: 'm1', type: 'track', event: 'E' }], sentAt: new Date(0).toISOString(), writeKey: KEY }));

function options(origin: string, extra: { timeoutMillis?: number; compression?: 'none' | 'gzip' } = {}) {
  return { origin, requestPath: '/v1/batch', writeKey: KEY, timeoutMillis: extra.timeoutMillis ?? 5000, connections: 1, compression: extra.compression ?? 'none' };
}

/** The result without its cause (an error object, whose stack differs between clients). */
function comparable(result: TransportResult): Omit<TransportResult, 'cause'> {
  const { cause: _cause, ...rest } = result as TransportResult & { cause?: unknown };
  return rest;
}

async function sendOnce(fault: Fault, make: (origin: string) => Transport): Promise<TransportResult> {
  const server = await startFaultServer(() => fault);
  const transport = make(server.url);
  try {
    return await transport.send(BODY, new AbortController().signal);
  } finally {
    await transport.close();
    await server.close();
  }
}

test('the fetch transport classifies every status of the table exactly as the undici transport does', async () => {
  const table: Array<[string, Fault]> = [
    ['200', reply(200)],
    ['202', reply(202, { body: 'accepted' })],
    ['207 naming ids', partial(['m1', 'm9'])],
    ['207 unreadable', reply(207, { body: 'not json' })],
    ['400', reply(400, { body: 'bad batch' })],
    ['401', reply(401)],
    ['403', reply(403)],
    ['404', reply(404)],
    ['408', reply(408)],
    ['413', reply(413)],
    ['429 with Retry-After', retryAfter(429, 3)],
    ['500', reply(500)],
    ['501', reply(501)],
    ['503 with a date', retryAfter(503, new Date(Date.now() + 60_000))],
    ['302', reply(302, { headers: { location: '/elsewhere' } })],
  ];
  for (const [name, fault] of table) {
    const viaFetch = await sendOnce(fault, (origin) => new FetchTransport(options(origin)));
    const viaUndici = await sendOnce(fault, (origin) => new HttpTransport(options(origin)));
    const strip = (result: TransportResult) => {
      const rest = comparable(result) as Record<string, unknown>;
      // A Retry-After date is read against the clock at each answer: a second may pass between the two.
      if (typeof rest.retryAfterMillis === 'number') rest.retryAfterMillis = Math.round(rest.retryAfterMillis / 5000);
      return rest;
    };
    assert.deepEqual(strip(viaFetch), strip(viaUndici), name);
  }
  assert.deepEqual(comparable(await sendOnce(retryAfter(429, 3), (origin) => new FetchTransport(options(origin)))), { kind: 'retryable', reason: 'HTTP 429', status: 429, retryAfterMillis: 3000 });
  assert.deepEqual(comparable(await sendOnce(reply(413), (origin) => new FetchTransport(options(origin)))), { kind: 'too-large', status: 413 });
  const unauthorized = await sendOnce(reply(401), (origin) => new FetchTransport(options(origin)));
  assert.equal(unauthorized.kind === 'failed' && unauthorized.code, 'MR_ERR_UNAUTHORIZED');
});

test('the fetch transport reads the rejected ids of a 207 body', async () => {
  const result = await sendOnce(partial(['m1', 'm2']), (origin) => new FetchTransport(options(origin)));
  assert.equal(result.kind, 'success');
  assert.deepEqual(result.kind === 'success' && result.rejectedIds, ['m1', 'm2']);
});

test('the fetch transport posts to the request path with Basic auth, and gzips with CompressionStream when asked', async () => {
  const server = await startFaultServer(() => reply(200));
  try {
    for (const compression of ['none', 'gzip'] as const) {
      const transport = new FetchTransport(options(server.url, { compression }));
      assert.equal((await transport.send(BODY, new AbortController().signal)).kind, 'success');
    }
    await Promise.all(server.requests.map((request) => request.readBody()));
    const [plain, gzipped] = server.requests;
    assert.equal(plain!.url, '/v1/batch');
    assert.equal(plain!.method, 'POST');
    assert.equal(plain!.headers.authorization, `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`);
    assert.equal(plain!.headers['content-encoding'], undefined);
    assert.equal(plain!.text, BODY.toString('utf8'));
    assert.equal(gzipped!.headers['content-encoding'], 'gzip');
    assert.equal(gzipped!.text, BODY.toString('utf8'));
    assert.notEqual(gzipped!.rawBytes, BODY.length);
  } finally {
    await server.close();
  }
});

test('a request past its deadline resolves as a retryable timeout, and a refused connection as a retryable network error', async () => {
  const server = await startFaultServer(() => ({ kind: 'stall' }));
  try {
    const late = await new FetchTransport(options(server.url, { timeoutMillis: 100 })).send(BODY, new AbortController().signal);
    assert.equal(late.kind, 'retryable');
    assert.equal(late.kind === 'retryable' && late.reason, 'request timed out');
  } finally {
    await server.close();
  }
  const refused = await new FetchTransport(options(await refusedUrl())).send(BODY, new AbortController().signal);
  assert.equal(refused.kind, 'retryable');
  assert.equal(refused.kind === 'retryable' && refused.reason, 'ECONNREFUSED');
  const aborted = new AbortController();
  aborted.abort();
  assert.equal((await new FetchTransport(options('http://127.0.0.1:9')).send(BODY, aborted.signal)).kind, 'retryable');
});

test('a server echoing the writeKey or its Basic credential gets neither into the detail of a fetch transport result', async () => {
  const credential = Buffer.from(`${KEY}:`).toString('base64');
  const result = await sendOnce(reply(400, { body: `key ${KEY} auth Basic ${credential}` }), (origin) => new FetchTransport(options(origin)));
  const text = inspect(result, { depth: Infinity });
  assert.equal(result.kind, 'failed');
  assert.ok(!text.includes(KEY) && !text.includes(credential), text);
  assert.match(text, /\[redacted\]/);
});

test('the transport is fetch on Bun, undici on Node, and undici whenever a dispatcher is given', async () => {
  const base = options('http://127.0.0.1:9');
  assert.ok(chooseTransport(base, { ...process.versions, bun: '1.4.5' }) instanceof FetchTransport);
  const onNode = chooseTransport(base);
  assert.ok(onNode instanceof HttpTransport);
  await onNode.close();
  const { Agent } = await import('undici');
  const dispatcher = new Agent();
  assert.ok(chooseTransport({ ...base, dispatcher }, { ...process.versions, bun: '1.4.5' }) instanceof HttpTransport);
  await dispatcher.close();
});

test('where the runtime has no CompressionStream, gzip is not claimed: the body goes uncompressed without content-encoding', async () => {
  const server = await startFaultServer(() => reply(200));
  const original = Object.getOwnPropertyDescriptor(globalThis, 'CompressionStream')!;
  delete (globalThis as { CompressionStream?: unknown }).CompressionStream;
  try {
    const result = await new FetchTransport(options(server.url, { compression: 'gzip' })).send(BODY, new AbortController().signal);
    assert.equal(result.kind, 'success');
    const [request] = server.requests;
    await request!.readBody();
    assert.equal(request!.headers['content-encoding'], undefined);
    assert.equal(request!.text, BODY.toString('utf8'));
  } finally {
    Object.defineProperty(globalThis, 'CompressionStream', original);
    await server.close();
  }
});
