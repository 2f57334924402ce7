import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { startFaultServer } from '../helpers/fault-server.js';

test('an answer whose body stalls is still judged by its status: a 400 is dropped (not retried), a 207 is neither resent nor hidden', async () => {
  for (const status of [400, 207]) {
    const server = await startFaultServer(() => ({ kind: 'headers-then-stall', status }));
    const analytics = new Analytics({ writeKey: 'k', host: server.url, httpRequestTimeout: 200, maxRetries: 2 });
    const codes: string[] = [];
    analytics.on('error', (error) => codes.push(error.code));
    try {
      analytics.track({ userId: 'u', event: 'Stalled Body' });
      await analytics.flush();
      assert.equal(server.requests.length, 1, `${status}: sent once`);
      assert.equal(analytics.counters!.retries, 0, `${status}: never retried`);
      // A 207 whose body could not be read cannot say which messages it rejected: the batch is reported whole.
      assert.deepEqual(codes, status === 400 ? ['MR_ERR_REJECTED'] : ['MR_ERR_PARTIAL_UNREADABLE'], `${status}: reported by its status`);
    } finally {
      await analytics.closeAndFlush({ timeout: 1000 });
      await server.close();
    }
  }
});
