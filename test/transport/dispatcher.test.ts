import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { test } from 'node:test';
import { ProxyAgent } from 'undici';
import { Analytics, ConfigurationError } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';

/** A forward proxy that tunnels CONNECT requests, as corporate proxies do, and counts them. */
async function startConnectProxy() {
  const tunnels: string[] = [];
  const proxy = createServer((_request, response) => response.writeHead(405).end());
  proxy.on('connect', (request, client, head) => {
    tunnels.push(request.url ?? '');
    const [host, port] = (request.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    tunnels,
    close: () => new Promise<void>((resolve) => {
      proxy.closeAllConnections();
      proxy.close(() => resolve());
    }),
  };
}

test('a ProxyAgent dispatcher carries the requests through the proxy, and stays open after shutdown', async () => {
  const server = await startIngestServer();
  const proxy = await startConnectProxy();
  const dispatcher = new ProxyAgent(proxy.url);
  try {
    const analytics = new Analytics({ writeKey: 'k', host: server.url, dispatcher });
    const id = analytics.track({ userId: 'u', event: 'Through Proxy' });
    await analytics.closeAndFlush();
    assert.deepEqual(server.accepted.map((message) => message.messageId), [id]);
    assert.deepEqual(proxy.tunnels, [new URL(server.url).host]);
    const after = await dispatcher.request({ origin: server.url, path: '/v1/batch', method: 'POST', body: '{"batch":[]}' });
    await after.body.dump();
    assert.equal(after.statusCode, 200, 'the user’s dispatcher still works after our shutdown');
  } finally {
    await dispatcher.close();
    await proxy.close();
    await server.close();
  }
});

test('without a proxy nothing goes through one (the proxy sees no tunnel)', async () => {
  const server = await startIngestServer();
  const proxy = await startConnectProxy();
  try {
    const analytics = new Analytics({ writeKey: 'k', host: server.url });
    analytics.track({ userId: 'u', event: 'Direct' });
    await analytics.closeAndFlush();
    assert.equal(server.accepted.length, 1);
    assert.deepEqual(proxy.tunnels, []);
    await new Promise<void>((resolve) => httpRequest(proxy.url, { method: 'GET' }, (response) => response.resume().on('end', resolve)).end());
  } finally {
    await proxy.close();
    await server.close();
  }
});

test('a dispatcher that is not an undici Dispatcher is refused at construction', () => {
  assert.throws(
    () => new Analytics({ writeKey: 'k', host: 'http://127.0.0.1:1', dispatcher: {} as never }),
    (error: unknown) => error instanceof ConfigurationError && error.option === 'dispatcher' && /expected an undici Dispatcher/.test(error.message),
  );
});
