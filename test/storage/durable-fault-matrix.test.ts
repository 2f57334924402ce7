import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Analytics, type AnalyticsOptions } from '../../src/index.js';
import { OK, startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { FINAL_FAULTS, RETRYABLE_FAULTS, captureRetryDelays, collect, settlesWithin, tally } from '../reliability/faults.js';

const KEY = 'durable-matrix-key';
const FAILURES = 4;
const root = mkdtempSync(join(tmpdir(), 'metarouter-otel-durable-matrix-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

/** With storage and a memory of 5 messages, so that most of each run waits on disk. */
function durable(server: FaultServer, directory: string, options: Partial<AnalyticsOptions> = {}): Analytics {
  return new Analytics({ writeKey: KEY, host: server.url, storage: { directory }, maxQueueSize: 5, flushAt: 3, maxConcurrentRequests: 2, maxRetries: 8, ...options });
}

async function flushed(analytics: Analytics, label: string): Promise<void> {
  const outcome = await settlesWithin(analytics.flush(), 10_000);
  assert.equal(outcome.settled, 'resolved', `${label}: flush() settled`);
  const { accepted, recovered, delivered, dropped, pending } = analytics.counters!;
  assert.equal(pending, 0, `${label}: nothing pending`);
  assert.equal(accepted + recovered, delivered + dropped, `${label}: accepted + recovered = delivered + dropped`);
}

/** A new instance on `directory` finds nothing left to send. */
async function nothingLeft(server: FaultServer, directory: string, label: string): Promise<void> {
  const requests = server.requests.length;
  const again = durable(server, directory);
  await new Promise((resolve) => setImmediate(resolve));
  await again.closeAndFlush({ timeout: 1000 });
  assert.equal(again.counters!.recovered, 0, `${label}: everything settled was acknowledged in storage`);
  assert.equal(server.requests.length, requests);
}

describe('durable: retryable faults, then the server recovers', { concurrency: 4 }, () => {
  for (const fault of RETRYABLE_FAULTS.filter((candidate) => candidate.refused !== true)) {
    test(`${fault.name}: 20 messages through a memory of 5, every one delivered once, the counters agree, nothing left in storage`, { timeout: 30_000 }, async () => {
      const server = await startFaultServer((request) => (request.index < FAILURES ? fault.make() : OK));
      const directory = join(root, `r${dirs++}`);
      const analytics = durable(server, directory, fault.options);
      const errors = collect(analytics);
      captureRetryDelays(analytics, 5);
      try {
        const ids = Array.from({ length: 20 }, (_, i) => analytics.track({ userId: `u${i}`, event: fault.name, properties: { i } }));
        assert.equal(analytics.counters!.refused, 0, 'nothing refused: the disk holds what memory cannot');
        await flushed(analytics, fault.name);
        const ingested = tally(server.ingestedIds());
        assert.deepEqual([...ingested.keys()].sort(), [...ids].sort());
        for (const [id, times] of ingested) assert.equal(times, 1, `${fault.name}: ${id} once`);
        assert.deepEqual(errors, []);
      } finally {
        await analytics.closeAndFlush({ timeout: 1000 });
      }
      await nothingLeft(server, directory, fault.name);
      await server.close();
    });
  }
});

describe('durable: answers that drop a batch', { concurrency: 4 }, () => {
  for (const fault of FINAL_FAULTS) {
    test(`${fault.name}: only the batch that got it is dropped and reported ${fault.code}; it is not sent again after a restart`, { timeout: 30_000 }, async () => {
      let victim = '';
      const server = await startFaultServer(async (request) => {
        await request.readBody();
        return request.messageIds.includes(victim) ? fault.make() : OK;
      });
      const directory = join(root, `f${dirs++}`);
      const analytics = durable(server, directory, { maxConcurrentRequests: 1 });
      const errors = collect(analytics);
      try {
        const ids = Array.from({ length: 12 }, (_, i) => analytics.track({ userId: `u${i}`, event: fault.name, properties: { i } }));
        victim = ids[4]!;
        await flushed(analytics, fault.name);
        // Batches refilled from disk are cut as memory frees up: the dropped one is whatever request carried the victim.
        const dropped = server.requests.find((request) => request.messageIds.includes(victim))!.messageIds;
        assert.deepEqual(errors.map((error) => [error.code, [...error.messageIds]]), [[fault.code, dropped]]);
        assert.deepEqual(server.ingestedIds().sort(), ids.filter((id) => !dropped.includes(id)).sort());
      } finally {
        await analytics.closeAndFlush({ timeout: 1000 });
      }
      await nothingLeft(server, directory, fault.name);
      await server.close();
    });
  }
});
