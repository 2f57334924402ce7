import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigurationError, startBridge } from '../../src/index.js';
import { startBridgePipeline } from '../helpers/otlp-bridge.js';

const TOKEN = 'otlp-bridge-secret-7f3a';

test('with a token, every request but the health checks is answered 401 first: another method or another path learns nothing without it', async () => {
  const pipeline = await startBridgePipeline({ token: TOKEN });
  try {
    for (const [method, path] of [['GET', '/v1/logs'], ['PUT', '/v1/traces'], ['POST', '/v1/metrics'], ['GET', '/']] as const) {
      const response = await fetch(pipeline.url(path), { method, ...(method === 'GET' ? {} : { body: '{}' }) });
      await response.arrayBuffer();
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer');
      const authorized = await fetch(pipeline.url(path), { method, headers: { authorization: `Bearer ${TOKEN}` }, ...(method === 'GET' ? {} : { body: '{}' }) });
      await authorized.arrayBuffer();
      assert.ok(authorized.status === 404 || authorized.status === 405, `${method} ${path} with the token: ${authorized.status}`);
    }
  } finally {
    await pipeline.close();
  }
});

test('a token that an HTTP header cannot carry as it is (non-ASCII) is refused at start: it could never match', async () => {
  for (const token of ['clé-secrète', 'tok€n']) {
    await assert.rejects(
      (async () => {
        const bridge = await startBridge({ port: 0, host: 'http://127.0.0.1:1', writeKey: 'k', token });
        await bridge.close(100);
      })(),
      (error: unknown) => error instanceof ConfigurationError && error.option === 'token' && /ASCII/.test(error.message) && !error.message.includes(token),
    );
  }
});
