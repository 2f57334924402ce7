import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics, ConfigurationError, type MetaRouterError } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';

test('a path with characters the wire cannot carry as they are (non-ASCII) is percent-encoded as UTF-8, as the host\'s own path is', async () => {
  const server = await startIngestServer();
  try {
    for (const [path, sent] of [['/v1/€', '/v1/%E2%82%AC'], ['/v1/bätch', '/v1/b%C3%A4tch'], ['/v1/%E2%82%AC', '/v1/%E2%82%AC'], ['/v1/batch', '/v1/batch']] as const) {
      const analytics = new Analytics({ writeKey: 'k', host: `${server.url}/base/é`, path, maxRetries: 1 });
      const errors: MetaRouterError[] = [];
      analytics.on('error', (error) => errors.push(error));
      analytics.track({ userId: 'u', event: 'Path' });
      await analytics.closeAndFlush({ timeout: 2000 });
      assert.deepEqual(errors.map((error) => error.code), [], `${path}: delivered`);
      assert.equal(server.requests.at(-1)?.url, `/base/%C3%A9${sent}`, path);
    }
  } finally {
    await server.close();
  }
});

test('a path that is not well-formed Unicode (a lone surrogate) is refused by the constructor with a ConfigurationError', () => {
  assert.throws(
    () => new Analytics({ writeKey: 'k', host: 'http://127.0.0.1:1', path: '/v1/\ud800' }),
    (error: unknown) => error instanceof ConfigurationError && error.option === 'path' && /well-formed/.test(error.message),
  );
});
