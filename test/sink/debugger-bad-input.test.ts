import assert from 'node:assert/strict';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import { ConfigurationError, startSink, type Sink } from '../../src/index.js';

async function sinkFor(t: TestContext, options: Parameters<typeof startSink>[0] = {}): Promise<Sink> {
  const sink = await startSink({ port: 0, ...options });
  t.after(() => sink.close());
  return sink;
}

async function post(url: string, messages: unknown[], headers: Record<string, string> = {}): Promise<Response> {
  const body = JSON.stringify({ batch: messages, sentAt: new Date().toISOString(), writeKey: 'k' });
  const response = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  await response.clone().text();
  return response;
}

const track = (id: string) => ({ type: 'track', userId: 'u', event: 'E', messageId: id });

/** Opens a debugger stream with its own socket; resolves with the response once the headers arrive. */
function openStream(url: string, path = '/api/stream'): Promise<{ request: ClientRequest; response: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}${path}`, { agent: false }, (response) => resolve({ request, response }));
    request.on('error', reject);
    request.end();
  });
}

test('a 10 MB body is answered 413 without being read whole; the sink keeps serving and keeps what it had', async (t) => {
  const sink = await sinkFor(t);
  assert.equal((await post(sink.url, [track('before')])).status, 200);
  const huge = JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'x'.repeat(10 * 1024 * 1024) }] });
  const answer = await fetch(`${sink.url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge }).then(
    async (response) => ({ status: response.status, text: await response.text() }),
    (error: unknown) => ({ status: 0, text: String(error) }),
  );
  // The sink answers as soon as the cap is passed and closes; a client still sending may see the reset instead.
  assert.ok(answer.status === 413 || answer.status === 0, `413 or a closed connection: ${answer.status} ${answer.text}`);
  assert.equal((await post(sink.url, [track('after')])).status, 200);
  assert.deepEqual(sink.messages.map((message) => message.messageId), ['before', 'after']);
});

test('1,000 concurrent debugger streams: up to maxStreamClients are served and live, the rest get a clear 503, and ingestion goes on', async (t) => {
  const sink = await sinkFor(t);
  const opened = await Promise.all(Array.from({ length: 1000 }, () => openStream(sink.url)));
  t.after(() => opened.forEach(({ request }) => request.destroy()));
  const statuses = opened.map(({ response }) => response.statusCode);
  assert.equal(statuses.filter((status) => status === 200).length, 100, 'the default maxStreamClients');
  assert.equal(statuses.filter((status) => status === 503).length, 900);
  const refused = opened.find(({ response }) => response.statusCode === 503)!.response;
  refused.setEncoding('utf8');
  let text = '';
  for await (const chunk of refused) text += chunk as string;
  assert.match(text, /too many debugger pages/);
  assert.equal(sink.streamClients, 100);

  const live = opened.filter(({ response }) => response.statusCode === 200).map(({ response }) => {
    response.setEncoding('utf8');
    let seen = '';
    return new Promise<void>((resolve) => {
      response.on('data', (chunk: string) => {
        seen += chunk;
        if (seen.includes('"messageId":"to-all"')) resolve();
      });
    });
  });
  assert.equal((await post(sink.url, [track('to-all')])).status, 200);
  await Promise.all(live);
});

test('a debugger client that never reads its stream is dropped once its backlog passes the bound; the sink keeps serving and keeping', async (t) => {
  const sink = await sinkFor(t);
  const socket = connect(sink.port, '127.0.0.1');
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  socket.write(`GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:${sink.port}\r\n\r\n`);
  socket.pause();
  while (sink.streamClients === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  const batch = Array.from({ length: 500 }, (_, i) => ({ ...track(`m-${i}`), properties: { pad: 'x'.repeat(1000) } }));
  let posted = 0;
  while (sink.droppedStreamClients === 0) {
    assert.ok(posted < 200, 'the stuck client was dropped within 100 MB of events');
    assert.equal((await post(sink.url, batch.map((message) => ({ ...message, messageId: `${message.messageId}-${posted}` })))).status, 200);
    posted++;
  }
  assert.equal(sink.streamClients, 0);
  assert.equal(sink.messages.length, posted * 500, 'everything received is kept');
});

test('the history is bounded by maxHistory: the oldest go first, in messages and on the page', async (t) => {
  const sink = await sinkFor(t, { maxHistory: 10 });
  for (let i = 0; i < 25; i++) await post(sink.url, [track(`h-${i}`)]);
  assert.deepEqual(sink.messages.map((message) => message.messageId), Array.from({ length: 10 }, (_, i) => `h-${15 + i}`));
  const state = (await (await fetch(`${sink.url}/api/state`)).json()) as { entries: { seq: number }[]; lastSeq: number };
  assert.deepEqual(state.entries.map((entry) => entry.seq), Array.from({ length: 10 }, (_, i) => 16 + i));
  assert.equal(state.lastSeq, 25);
});

test('a page that reconnects with the last id it saw gets what it missed, once', async (t) => {
  const sink = await sinkFor(t);
  await post(sink.url, [track('seen'), track('missed-1')]);
  await post(sink.url, [track('missed-2')]);
  const { request, response } = await openStream(sink.url, '/api/stream?after=1');
  t.after(() => request.destroy());
  response.setEncoding('utf8');
  let text = '';
  for await (const chunk of response) {
    text += chunk as string;
    if (text.includes('missed-2')) break;
  }
  assert.doesNotMatch(text, /"seen"/);
  assert.match(text, /id: 3\nevent: messages\n/);
  assert.equal(text.match(/missed-1/g)?.length, 1);
});

test('off loopback a token is required; with one, the page, state and stream need it and POST /v1/batch does not', async (t) => {
  await assert.rejects(startSink({ port: 0, hostname: '0.0.0.0' }), (error: unknown) => error instanceof ConfigurationError && error.option === 'token');
  const sink = await sinkFor(t, { hostname: '0.0.0.0', token: 'let-me-in' });
  const base = `http://127.0.0.1:${sink.port}`;
  assert.equal(sink.debuggerUrl, `http://0.0.0.0:${sink.port}/?token=let-me-in`);
  for (const path of ['/', '/api/state', '/api/stream', '/?token=wrong']) {
    const response = await fetch(`${base}${path}`);
    assert.equal(response.status, 401, path);
    await response.text();
  }
  const page = await fetch(`${base}/?token=let-me-in`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.match(await page.text(), /<title>/);
  const state = await fetch(`${base}/api/state`, { headers: { authorization: 'Bearer let-me-in' } });
  assert.equal(state.status, 200);
  await state.text();
  assert.equal((await post(base, [track('no-token-needed')])).status, 200);
});

test('without a token, the debugger answers only requests that name a loopback host (a re-pointed DNS name gets 401)', async (t) => {
  const sink = await sinkFor(t);
  const status = (host: string) =>
    new Promise<number>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port: sink.port, path: '/api/state', headers: { host } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
  assert.equal(await status(`evil.example:${sink.port}`), 401);
  assert.equal(await status(`localhost:${sink.port}`), 200);
  assert.equal(await status(`127.0.0.1:${sink.port}`), 200);
});

test('fault simulation: armed by the API (JSON only) or at start, a fault answers its status for N requests and keeps nothing', async (t) => {
  const sink = await sinkFor(t, { fault: { kind: '413', count: 1 }, retryAfterSeconds: 7, slowMillis: 50 });
  assert.equal((await post(sink.url, [track('too-large')])).status, 413);

  const plain = await fetch(`${sink.url}/api/faults`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"kind":"500","count":1}' });
  assert.equal(plain.status, 415, 'a form or text post from another site cannot arm a fault');
  await plain.text();
  const bad = await fetch(`${sink.url}/api/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"418"}' });
  assert.equal(bad.status, 400);
  await bad.text();

  const arm = await fetch(`${sink.url}/api/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"429","count":2}' });
  assert.deepEqual(await arm.json(), { fault: { kind: '429', remaining: 2 } });
  for (let i = 0; i < 2; i++) {
    const limited = await post(sink.url, [track(`limited-${i}`)]);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
  }
  await fetch(`${sink.url}/api/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"slow","count":1}' }).then((response) => response.text());
  assert.equal((await post(sink.url, [track('slow-but-kept')])).status, 200);
  await fetch(`${sink.url}/api/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"401","count":5}' }).then((response) => response.text());
  await fetch(`${sink.url}/api/faults`, { method: 'DELETE' }).then((response) => response.text());
  assert.equal(sink.fault, undefined);
  assert.equal((await post(sink.url, [track('fine')])).status, 200);
  assert.deepEqual(sink.messages.map((message) => message.messageId), ['slow-but-kept', 'fine']);

  const state = (await (await fetch(`${sink.url}/api/state`)).json()) as { requests: { status: number; fault: string | null }[] };
  assert.deepEqual(state.requests.map((request) => `${request.status}${request.fault === undefined || request.fault === null ? '' : ` ${request.fault}`}`), ['413 413', '429 429', '429 429', '200 slow', '200']);
});
