import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { sequence, startFaultServer } from '../helpers/fault-server.js';

test('a 2xx whose body stalls is given up after a while, so the next batch gets the only connection', { timeout: 30_000 }, async () => {
  const server = await startFaultServer(sequence([{ kind: 'headers-then-stall', status: 200 }]));
  // One connection, and a request deadline long enough that only the drain's own limit frees it.
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 1, maxConcurrentRequests: 1, httpRequestTimeout: 2000, maxRetries: 0 });
  const codes: string[] = [];
  analytics.on('error', (error) => codes.push(error.code));
  try {
    analytics.track({ userId: 'u', event: 'First' });
    analytics.track({ userId: 'u', event: 'Second' });
    await analytics.flush();
    assert.deepEqual(codes, []);
    assert.equal(server.requests.length, 2);
    assert.equal(analytics.counters!.delivered, 2);
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

test('a request past its deadline is reported as timed out, and a close deadline still aborts one in flight', { timeout: 30_000 }, async () => {
  const server = await startFaultServer(() => ({ kind: 'stall' }));
  const timedOut = new Analytics({ writeKey: 'k', host: server.url, httpRequestTimeout: 100, maxRetries: 0 });
  const messages: string[] = [];
  timedOut.on('error', (error) => messages.push(`${error.code}: ${error.message}`));
  const closed = new Analytics({ writeKey: 'k', host: server.url, httpRequestTimeout: 60_000 });
  const codes: string[] = [];
  closed.on('error', (error) => codes.push(error.code));
  try {
    timedOut.track({ userId: 'u', event: 'Late' });
    await timedOut.flush();
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /^MR_ERR_RETRIES_EXHAUSTED: .*request timed out/);
    closed.track({ userId: 'u', event: 'Stuck' });
    await closed.closeAndFlush({ timeout: 200 });
    assert.deepEqual(codes, ['MR_ERR_SHUTDOWN_TIMEOUT']);
  } finally {
    await timedOut.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});
