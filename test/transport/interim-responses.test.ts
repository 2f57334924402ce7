import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Analytics, type MetaRouterError } from '../../src/index.js';

/** A server that sends `interim` informational responses, unasked, before its 200; it counts requests and connections. */
async function startServer(interim: (response: ServerResponse) => void): Promise<{ url: string; requests: number; connections: number; close(): Promise<void> }> {
  const state = { requests: 0, connections: 0 };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    state.requests++;
    interim(response);
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get connections() {
      return state.connections;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const INTERIMS: Array<[string, (response: ServerResponse) => void]> = [
  ['an unsolicited 100 Continue', (response) => response.writeContinue()],
  ['two 100 Continue and a 103', (response) => {
    response.writeContinue();
    response.writeContinue();
    response.writeEarlyHints({ link: '</a.css>; rel=preload' });
  }],
  ['a 102 Processing', (response) => response.writeProcessing()],
];

test('informational answers before the 200 (RFC 9110: a client must parse 1xx) are skipped: each batch is sent once, delivered, on one kept-alive connection', async () => {
  for (const [name, interim] of INTERIMS) {
    const server = await startServer(interim);
    const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 1, maxConcurrentRequests: 1, maxRetries: 2 });
    const errors: MetaRouterError[] = [];
    analytics.on('error', (error) => errors.push(error));
    try {
      for (let i = 0; i < 3; i++) {
        analytics.track({ userId: 'u', event: 'After Continue', properties: { i } });
        await analytics.flush();
      }
      assert.deepEqual(errors.map((error) => error.code), [], `${name}: nothing reported`);
      assert.equal(server.requests, 3, `${name}: each batch sent once`);
      assert.equal(analytics.counters!.delivered, 3, name);
      assert.equal(server.connections, 1, `${name}: the connection was kept`);
    } finally {
      await analytics.closeAndFlush({ timeout: 1000 });
      await server.close();
    }
  }
});
