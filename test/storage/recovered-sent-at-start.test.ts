import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { collectErrors } from '../helpers/delivery-harness.js';
import { startIngestServer } from '../helpers/ingest-server.js';

const root = mkdtempSync(join(tmpdir(), 'metarouter-otel-recovered-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Far longer than the test may run: a message that waits for the interval never arrives in it. */
const HOUR_MILLIS = 3_600_000;
/** A guard against a hang, not a measure: the recovered batch goes out on the start's first turns. */
const ARRIVAL_GUARD_MILLIS = 20_000;

test('messages an earlier process left in storage are sent at once on start, not after a flushInterval', async () => {
  const directory = join(root, 'spool');
  const down = await startIngestServer(() => ({ status: 503 }));
  const first = new Analytics({ writeKey: 'k', host: down.url, storage: { directory }, maxRetries: 100 });
  const firstErrors = collectErrors(first);
  const ids = ['left-0', 'left-1', 'left-2'].map((messageId) => first.track({ userId: 'u', event: 'Left Behind', messageId }));
  await first.closeAndFlush({ timeout: 200 });
  await down.close();
  assert.deepEqual(
    firstErrors.map((error) => error.code),
    ['MR_ERR_KEPT_IN_STORAGE'],
    'the first process left its messages in storage',
  );

  const up = await startIngestServer();
  const second = new Analytics({ writeKey: 'k', host: up.url, storage: { directory }, flushInterval: HOUR_MILLIS });
  const secondErrors = collectErrors(second);
  try {
    await up.waitForAccepted(ids.length, ARRIVAL_GUARD_MILLIS);
    assert.deepEqual(up.accepted.map((message) => message.messageId), ids);
    assert.equal(second.counters!.recovered, ids.length);
    assert.deepEqual(secondErrors, []);
  } finally {
    await second.closeAndFlush({ timeout: 1000 });
    await up.close();
  }
});
