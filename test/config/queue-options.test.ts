import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigurationError, DEFAULTS, startBridge, type BridgeOptions } from '../../src/index.js';

const BASE: BridgeOptions = { port: 0, writeKey: 'k', host: 'http://127.0.0.1:9' };

/** startBridge refuses `options` with a ConfigurationError naming `option`, whose message matches and never holds `secret`. */
async function refused(options: BridgeOptions, option: string, pattern: RegExp, secret = 'hunter2'): Promise<void> {
  await assert.rejects(startBridge({ ...BASE, ...options }), (error: unknown) => {
    assert.ok(error instanceof ConfigurationError, String(error));
    assert.equal(error.option, option);
    assert.match(error.message, pattern);
    assert.equal(error.message.includes(secret), false, error.message);
    return true;
  });
}

test('queue: a URL that is not postgres:// is refused by name, its password never shown', async () => {
  await refused({ queue: 'mysql://user:hunter2@db/analytics' }, 'queue.url', /queue\.url is invalid, expected a postgres:\/\/ or postgresql:\/\/ URL .*actual "mysql:\/\/user@db\/analytics"/);
  await refused({ queue: 'not a url hunter2' }, 'queue.url', /actual a string of 17 characters that is not such a URL/);
  await refused({ queue: 'postgres://user:hunter2@/analytics' }, 'queue.url', /queue\.url is invalid/);
  await refused({ queue: { url: 42 as unknown as string } }, 'queue.url', /actual 42/);
});

test('queue: settings out of range are refused by name', async () => {
  const url = 'postgres://u:hunter2@127.0.0.1:1/db';
  await refused({ queue: { url, leaseMillis: 10 } }, 'queue.leaseMillis', /an integer from 1000 to 3600000, actual 10/);
  await refused({ queue: { url, dedupWindow: -1 } }, 'queue.dedupWindow', /actual -1/);
  await refused({ queue: { url, partitionMillis: 1.5 } }, 'queue.partitionMillis', /actual 1\.5/);
  await refused({ queue: { url, whenFull: 'drop_all' as 'drop_oldest' } }, 'queue.whenFull', /"drop_newest" or "drop_oldest", actual "drop_all"/);
  await refused({ queue: { url, maxConnections: 1 } }, 'queue.maxConnections', /actual 1/);
});

test('queue and storage together are refused: the shared queue is the durable one', async () => {
  await refused({ queue: 'postgres://u:hunter2@127.0.0.1:1/db', storage: { directory: '/nonexistent-queue-test' } }, 'queue', /no storage beside it/);
});

test('queue defaults: a 24 h dedup window, a 30 s lease, hourly partitions, 1 GiB, drop_newest', () => {
  assert.deepEqual({ ...DEFAULTS.queue }, { dedupWindow: 86_400_000, leaseMillis: 30_000, partitionMillis: 3_600_000, maxBytes: 1_073_741_824, whenFull: 'drop_newest', maxConnections: 8 });
});

test('METAROUTER_QUEUE_URL is read when queue is omitted, and checked the same way', async (t) => {
  process.env.METAROUTER_QUEUE_URL = 'redis://x:hunter2@cache/0';
  t.after(() => delete process.env.METAROUTER_QUEUE_URL);
  await refused({}, 'queue.url', /actual "redis:\/\/x@cache\/0"/);
});
