import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Analytics, type AnalyticsOptions } from '../../src/index.js';
import { OK, partial, reply, startFaultServer, type FaultScript, type FaultServer } from '../helpers/fault-server.js';
import {
  BROKEN_2XX_FAULTS,
  FINAL_FAULTS,
  RETRYABLE_FAULTS,
  backoffBand,
  captureRetryDelays,
  collect,
  recordFigures,
  settlesWithin,
  tally,
  writeFigures,
  type RetryDelayCall,
  type RetryableFault,
} from './faults.js';

const KEY = 'fault-matrix-key';
/** A guard against a hang, not a measurement. */
const GUARD_MILLIS = 5000;
/** Requests that fail before the server recovers. */
const FAILURES = 4;

after(writeFigures);

/** The delivery counters of `analytics`, limited to `keys`. */
function countsOf(analytics: Analytics, ...keys: Array<'accepted' | 'delivered' | 'dropped' | 'retries' | 'requests'>): Record<string, number> {
  const counters = analytics.counters!;
  const wanted = keys.length === 0 ? (['accepted', 'delivered', 'dropped', 'retries', 'requests'] as const) : keys;
  return Object.fromEntries(wanted.map((key) => [key, counters[key]]));
}

/** Sends `count` track calls through `analytics` and returns their messageIds. */
function send(analytics: Analytics, count: number, label: string): string[] {
  return Array.from({ length: count }, (_, i) => analytics.track({ userId: `user-${i}`, event: label, properties: { i, label } }));
}

/** Flushes, then checks the counters' invariant, which holds under every fault once the queue is empty. */
async function flushWithin(analytics: Analytics, label: string): Promise<void> {
  const outcome = await settlesWithin(analytics.flush(), GUARD_MILLIS);
  assert.equal(outcome.settled, 'resolved', `${label}: flush() settled`);
  const { accepted, delivered, dropped, pending } = analytics.counters!;
  assert.equal(pending, 0, `${label}: nothing pending after flush()`);
  assert.equal(accepted, delivered + dropped, `${label}: accepted = delivered + dropped`);
}

/** A fault server for `fault` (stopped when the fault is a refused port), and the host to send to. */
async function serverFor(fault: RetryableFault, script: FaultScript): Promise<FaultServer> {
  const server = await startFaultServer(script);
  if (fault.refused === true) await server.stop();
  return server;
}

/** The messages of every request carrying `id`, as the server read them. */
function copiesOf(server: FaultServer, id: string): string[] {
  return server.requests.flatMap((request) => (request.body?.batch ?? []).filter((message) => message.messageId === id).map((message) => JSON.stringify(message)));
}

function assertHints(fault: RetryableFault, delays: readonly RetryDelayCall[]): void {
  for (const call of delays) {
    if (fault.hint === 'none') {
      assert.equal(call.retryAfterMillis, undefined, `${fault.name}: no server hint`);
      const [low, high] = backoffBand(call.attempt);
      assert.ok(call.chosenMillis >= low && call.chosenMillis <= high, `${fault.name}: attempt ${call.attempt} chose ${call.chosenMillis} ms, outside [${low}, ${high}]`);
    } else if ('exact' in fault.hint) {
      assert.equal(call.retryAfterMillis, fault.hint.exact, `${fault.name}: the hint read from Retry-After`);
      assert.equal(call.chosenMillis, fault.hint.exact, `${fault.name}: the hint wins over the backoff`);
    } else {
      const [low, high] = fault.hint.within;
      assert.ok(call.retryAfterMillis !== undefined && call.retryAfterMillis > low && call.retryAfterMillis <= high, `${fault.name}: hint ${call.retryAfterMillis}`);
      assert.equal(call.chosenMillis, call.retryAfterMillis, `${fault.name}: the hint wins over the backoff`);
    }
  }
  // Growth: every wait for retry n+1 is longer than every wait for retry n (the jitter bands never overlap).
  if (fault.hint === 'none') {
    const byAttempt = new Map<number, number[]>();
    for (const call of delays) byAttempt.set(call.attempt, [...(byAttempt.get(call.attempt) ?? []), call.chosenMillis]);
    const attempts = [...byAttempt.keys()].sort((a, b) => a - b);
    for (let i = 1; i < attempts.length; i++) {
      assert.ok(Math.max(...byAttempt.get(attempts[i - 1]!)!) < Math.min(...byAttempt.get(attempts[i]!)!), `${fault.name}: delays grow from retry ${attempts[i - 1]} to ${attempts[i]}`);
    }
  }
}

// The rows of a suite run a few at a time: each has its own server and instance.
describe('retryable faults, then the server recovers', { concurrency: 4 }, () => {
  for (const fault of RETRYABLE_FAULTS) {
    test(`${fault.name}: every accepted message is delivered, once, with the same JSON on every try`, { timeout: 20_000 }, async () => {
      const server = await serverFor(fault, (request) => (request.index < FAILURES ? fault.make() : OK));
      const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 3, maxConcurrentRequests: 2, maxRetries: 8, ...fault.options });
      const errors = collect(analytics);
      let restarted = false;
      const delays = captureRetryDelays(analytics, (call) => {
        // A refused port comes back (the server listens on it again) at the second round of retries.
        if (fault.refused === true && call.attempt === 2 && !restarted) {
          restarted = true;
          void server.restart();
        }
        // Waits long enough, for a refused port, that the server is back before maxRetries run out.
        return fault.refused === true ? 20 : 5;
      });
      try {
        const ids = send(analytics, 7, fault.name);
        await flushWithin(analytics, fault.name);

        const ingested = tally(server.ingestedIds());
        assert.deepEqual([...ingested.keys()].sort(), [...ids].sort(), `${fault.name}: the server ingested every accepted message`);
        for (const [id, times] of ingested) assert.equal(times, 1, `${fault.name}: ${id} ingested once (every earlier try was unacknowledged)`);
        for (const id of ids) {
          const copies = copiesOf(server, id);
          assert.ok(copies.length >= 1);
          for (const copy of copies) assert.equal(copy, copies[0], `${fault.name}: ${id} is the same JSON on every try`);
        }
        assert.deepEqual(errors, [], `${fault.name}: nothing reported`);
        assert.deepEqual(countsOf(analytics, 'accepted', 'delivered', 'dropped'), { accepted: 7, delivered: 7, dropped: 0 });
        assert.equal(analytics.counters!.retries, delays.length, `${fault.name}: one retryDelay call per retry`);
        if (fault.refused !== true) {
          assert.equal(analytics.counters!.retries, FAILURES, `${fault.name}: one retry per failed request`);
          assert.equal(server.requests.length, analytics.counters!.requests, `${fault.name}: the server saw every request`);
        }
        if (fault.options?.compression === 'gzip') {
          for (const request of server.requests) assert.equal(request.headers['content-encoding'], 'gzip');
        }
        assertHints(fault, delays);
        recordFigures({
          suite: 'recovers',
          fault: fault.name,
          sent: ids.length,
          delivered: ingested.size,
          reportedLost: 0,
          silentlyLost: ids.length - ingested.size,
          duplicates: [...ingested.values()].reduce((sum, times) => sum + times - 1, 0),
          requests: analytics.counters!.requests,
        });
      } finally {
        await analytics.closeAndFlush({ timeout: 1000 });
        await server.close();
      }
    });
  }
});

describe('retryable faults that never end', { concurrency: 4 }, () => {
  for (const fault of RETRYABLE_FAULTS) {
    test(`${fault.name}: each batch is tried maxRetries + 1 times, then reported once with exactly its messageIds`, { timeout: 20_000 }, async () => {
      const maxRetries = 3;
      const server = await serverFor(fault, () => fault.make());
      const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 3, maxConcurrentRequests: 2, maxRetries, ...fault.options });
      const errors = collect(analytics);
      const delays = captureRetryDelays(analytics, 5);
      try {
        const ids = send(analytics, 7, fault.name);
        await flushWithin(analytics, fault.name);

        const batches = [ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)];
        assert.deepEqual(
          errors.map((error) => error.code),
          ['MR_ERR_RETRIES_EXHAUSTED', 'MR_ERR_RETRIES_EXHAUSTED', 'MR_ERR_RETRIES_EXHAUSTED'],
          `${fault.name}: one report per batch`,
        );
        assert.deepEqual(
          errors.map((error) => [...error.messageIds]).sort(),
          batches.map((batch) => [...batch]).sort(),
          `${fault.name}: each report names exactly its batch`,
        );
        for (const error of errors) assert.equal(error.status, fault.status, `${fault.name}: status of the report`);
        assert.deepEqual(server.ingestedIds(), [], `${fault.name}: nothing ingested`);
        assert.deepEqual(countsOf(analytics), { accepted: 7, delivered: 0, dropped: 7, retries: 3 * maxRetries, requests: 3 * (maxRetries + 1) });
        assert.equal(delays.length, 3 * maxRetries);
        assert.deepEqual(tally(delays.map((call) => String(call.attempt))), new Map([['1', 3], ['2', 3], ['3', 3]]), `${fault.name}: attempts 1..maxRetries per batch`);
        if (fault.refused !== true) {
          assert.equal(server.requests.length, 3 * (maxRetries + 1), `${fault.name}: the server saw every try`);
          if (server.requests.every((request) => request.bodyRead)) {
            for (const batch of batches) {
              const tries = server.requests.filter((request) => request.messageIds.includes(batch[0]!));
              assert.equal(tries.length, maxRetries + 1, `${fault.name}: tries of one batch`);
            }
          }
        }
        assertHints(fault, delays);
        recordFigures({
          suite: 'never recovers (maxRetries 3)',
          fault: fault.name,
          sent: ids.length,
          delivered: 0,
          reportedLost: errors.flatMap((error) => error.messageIds).length,
          silentlyLost: ids.length - new Set(errors.flatMap((error) => error.messageIds)).size,
          duplicates: 0,
          requests: analytics.counters!.requests,
        });
      } finally {
        await analytics.closeAndFlush({ timeout: 1000 });
        await server.close();
      }
    });
  }
});

test('jitter: the first retries of many batches do not all wait the same time', async () => {
  const server = await startFaultServer((request) => (request.index < 12 ? reply(503) : OK));
  const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 1, maxConcurrentRequests: 4, maxRetries: 3 });
  const delays = captureRetryDelays(analytics, 5);
  try {
    send(analytics, 12, 'jitter');
    await flushWithin(analytics, 'jitter');
    const first = delays.filter((call) => call.attempt === 1).map((call) => call.chosenMillis);
    assert.equal(first.length, 12);
    assert.ok(new Set(first).size > 1, `12 first-retry delays were all ${first[0]} ms: no jitter`);
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

for (const fault of BROKEN_2XX_FAULTS) {
  test(`a 2xx status line counts as the acknowledgement — ${fault.name}: delivered once, never resent, nothing reported`, { timeout: 20_000 }, async () => {
    const server = await startFaultServer((request) => (request.index === 0 ? fault.make() : OK));
    const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 3, maxConcurrentRequests: 1, maxRetries: 3, ...fault.options });
    const errors = collect(analytics);
    captureRetryDelays(analytics, 5);
    try {
      const ids = send(analytics, 6, fault.name);
      await flushWithin(analytics, fault.name);

      assert.equal(server.requests[0]!.acknowledged, false, 'the first answer really broke');
      assert.deepEqual([...tally(server.ingestedIds()).entries()].sort(), ids.map((id) => [id, 1]).sort(), `${fault.name}: each message ingested once`);
      assert.deepEqual(errors, []);
      assert.equal(analytics.counters!.retries, 0, `${fault.name}: no retry after a 2xx`);
      assert.equal(analytics.counters!.delivered, 6);
      recordFigures({ suite: '2xx then broken answer', fault: fault.name, sent: 6, delivered: 6, reportedLost: 0, silentlyLost: 0, duplicates: 0, requests: server.requests.length });
    } finally {
      await analytics.closeAndFlush({ timeout: 1000 });
      await server.close();
    }
  });
}

for (const fault of FINAL_FAULTS) {
  test(`not retryable — ${fault.name}: only the batch that got it is dropped, reported ${fault.code} with exactly its ids; the others arrive`, async () => {
    let victim = '';
    const server = await startFaultServer(async (request) => {
      await request.readBody();
      return request.messageIds.includes(victim) ? fault.make() : OK;
    });
    const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 2, maxConcurrentRequests: 1, maxRetries: 3 });
    const errors = collect(analytics);
    captureRetryDelays(analytics, 5);
    try {
      const ids = send(analytics, 6, fault.name);
      victim = ids[2]!;
      await flushWithin(analytics, fault.name);

      const dropped = ids.slice(2, 4);
      assert.equal(server.requests.filter((request) => request.messageIds.includes(victim)).length, 1, `${fault.name}: sent once despite Retry-After`);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.code, fault.code);
      assert.equal(errors[0]!.status, fault.status);
      assert.deepEqual([...errors[0]!.messageIds], dropped);
      assert.deepEqual(server.ingestedIds().sort(), ids.filter((id) => !dropped.includes(id)).sort());
      assert.deepEqual(countsOf(analytics), { accepted: 6, delivered: 4, dropped: 2, retries: 0, requests: 3 });
      recordFigures({ suite: 'not retryable', fault: fault.name, sent: 6, delivered: 4, reportedLost: 2, silentlyLost: 0, duplicates: 0, requests: server.requests.length });
    } finally {
      await analytics.closeAndFlush({ timeout: 1000 });
      await server.close();
    }
  });
}

test('413 on every request: the batch is halved down to single messages, each reported MR_ERR_MESSAGE_TOO_LARGE with its own id', async () => {
  const server = await startFaultServer(() => reply(413));
  const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 4, maxRetries: 3 });
  const errors = collect(analytics);
  try {
    const ids = send(analytics, 4, '413');
    await flushWithin(analytics, '413');

    assert.equal(server.requests.length, 1 + 2 + 4, 'the batch, its halves, their halves');
    assert.deepEqual(errors.map((error) => error.code), Array(4).fill('MR_ERR_MESSAGE_TOO_LARGE'));
    assert.deepEqual(errors.map((error) => [...error.messageIds]).sort(), ids.map((id) => [id]).sort());
    assert.deepEqual(countsOf(analytics), { accepted: 4, delivered: 0, dropped: 4, retries: 0, requests: 7 });
    recordFigures({ suite: 'not retryable', fault: '413 on every request', sent: 4, delivered: 0, reportedLost: 4, silentlyLost: 0, duplicates: 0, requests: 7 });
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

test('207 with an Errors array: exactly the named messages are reported MR_ERR_PARTIAL_REJECTED, the rest count as delivered', async () => {
  let rejected: string[] = [];
  const server = await startFaultServer(async (request) => {
    await request.readBody();
    rejected = [request.messageIds[1]!, request.messageIds[3]!];
    return partial(rejected);
  });
  const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 4 });
  const errors = collect(analytics);
  try {
    const ids = send(analytics, 4, '207');
    await flushWithin(analytics, '207');

    assert.equal(server.requests.length, 1, 'a 207 is not retried');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'MR_ERR_PARTIAL_REJECTED');
    assert.deepEqual([...errors[0]!.messageIds], rejected);
    assert.deepEqual(server.ingestedIds(), [ids[0], ids[2]]);
    assert.deepEqual(countsOf(analytics), { accepted: 4, delivered: 2, dropped: 2, retries: 0, requests: 1 });
    recordFigures({ suite: 'not retryable', fault: '207 naming 2 of 4', sent: 4, delivered: 2, reportedLost: 2, silentlyLost: 0, duplicates: 0, requests: 1 });
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

test('207 whose Errors name a messageId not in the batch (and one twice): only ids of the batch are reported, and the counts stay true', async () => {
  let named = '';
  const server = await startFaultServer(async (request) => {
    await request.readBody();
    named = request.messageIds[1]!;
    return partial([named, 'a-message-id-this-batch-never-had', named]);
  });
  const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 4 });
  const errors = collect(analytics);
  try {
    send(analytics, 4, '207 foreign');
    await flushWithin(analytics, '207 foreign');

    assert.deepEqual(
      errors.map((error) => [...error.messageIds]),
      [[named]],
      'a DeliveryError names only messages of the batch it is about',
    );
    assert.deepEqual(countsOf(analytics), { accepted: 4, delivered: 3, dropped: 1, retries: 0, requests: 1 }, 'three of the four messages were delivered');
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

test('duplicates only where a retry followed an unacknowledged request: a 200 sent after httpRequestTimeout is ingested, the retry is ingested again', async () => {
  const server = await startFaultServer(async (request) => {
    await request.readBody();
    if (request.index === 1) await new Promise((resolve) => setTimeout(resolve, 400));
    return OK;
  });
  const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 3, maxConcurrentRequests: 1, httpRequestTimeout: 150 });
  const errors = collect(analytics);
  captureRetryDelays(analytics, 5);
  try {
    const ids = send(analytics, 9, 'late');
    await flushWithin(analytics, 'late');
    // The late answer lands after the client gave up on it.
    await new Promise((resolve) => setTimeout(resolve, 400));

    const late = server.requests[1]!;
    assert.equal(late.messageIds.length, 3, 'the late request carried a batch');
    assert.equal(late.status, 200, 'and the server ingested it');
    assert.equal(late.acknowledged, false, 'the late 200 never reached the client');
    const twice = [...tally(server.ingestedIds())].filter(([, times]) => times > 1).map(([id]) => id);
    assert.deepEqual(twice.sort(), [...late.messageIds].sort(), 'exactly the unacknowledged batch is duplicated');
    assert.deepEqual(new Set(server.ingestedIds()), new Set(ids), 'nothing lost');
    assert.deepEqual(errors, []);
    assert.equal(analytics.counters!.delivered, 9, 'the client counts each message once');
    recordFigures({ suite: 'late acknowledgement', fault: '200 after httpRequestTimeout', sent: 9, delivered: 9, reportedLost: 0, silentlyLost: 0, duplicates: twice.length, requests: server.requests.length });
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

test('maxRetryDuration stops retries that maxRetries would allow: with 100 ms waits and a 350 ms deadline, at most 4 tries', async () => {
  const server = await startFaultServer(() => reply(503));
  const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 2, maxRetries: 1000, maxRetryDuration: 350 });
  const errors = collect(analytics);
  captureRetryDelays(analytics, 100);
  try {
    const ids = send(analytics, 2, 'deadline');
    await flushWithin(analytics, 'deadline');

    // Each wait is at least 100 ms, so a fourth retry (a fifth try) would start past 350 ms.
    assert.ok(server.requests.length >= 2 && server.requests.length <= 4, `${server.requests.length} tries`);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'MR_ERR_RETRIES_EXHAUSTED');
    assert.match(errors[0]!.message, /350 ms retry deadline/);
    assert.deepEqual([...errors[0]!.messageIds], ids);
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

test('a Retry-After that points past maxRetryDuration ends the batch at once, without waiting for it', { timeout: GUARD_MILLIS }, async () => {
  const server = await startFaultServer(() => reply(429, { headers: { 'retry-after': '30' } }));
  // The real backoff (no capture): a wait of 30 s would trip the test's own 5 s timeout.
  const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 1, maxRetryDuration: 2000 });
  const errors = collect(analytics);
  try {
    const [id] = send(analytics, 1, 'too far');
    await flushWithin(analytics, 'too far');

    assert.equal(server.requests.length, 1);
    assert.deepEqual(errors.map((error) => [error.code, [...error.messageIds], error.status]), [['MR_ERR_RETRIES_EXHAUSTED', [id], 429]]);
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

test('Retry-After: 0 on every answer does not spin forever: maxRetryDuration ends it', async () => {
  const server = await startFaultServer(() => reply(429, { headers: { 'retry-after': '0' } }));
  const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 1, maxRetries: 1_000_000, maxRetryDuration: 300 });
  const errors = collect(analytics);
  try {
    const [id] = send(analytics, 1, 'spin');
    await flushWithin(analytics, 'spin');

    assert.deepEqual(errors.map((error) => [error.code, [...error.messageIds]]), [['MR_ERR_RETRIES_EXHAUSTED', [id]]]);
    assert.equal(analytics.counters!.requests, server.requests.length);
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

test('maxRetryDuration: 0 means one try and no retry', async () => {
  const server = await startFaultServer(() => reply(500));
  const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 1, maxRetryDuration: 0 });
  const errors = collect(analytics);
  const delays = captureRetryDelays(analytics, 5);
  try {
    send(analytics, 1, 'no retry');
    await flushWithin(analytics, 'no retry');
    assert.equal(server.requests.length, 1);
    assert.equal(errors[0]?.code, 'MR_ERR_RETRIES_EXHAUSTED');
    assert.ok(delays.length <= 1);
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

test('a mixed outage (every retryable fault in turn, 4 batches in flight): 60 messages, all delivered, none twice', { timeout: 20_000 }, async () => {
  const rotation = RETRYABLE_FAULTS.filter((fault) => fault.refused !== true && fault.hint === 'none' && fault.options === undefined);
  const server = await startFaultServer((request) => (request.index % 2 === 0 ? rotation[(request.index / 2) % rotation.length]!.make() : OK));
  const options: AnalyticsOptions = { writeKey: KEY, host: server.url, flushAt: 5, maxConcurrentRequests: 4, maxRetries: 20 };
  const analytics = new Analytics(options);
  const errors = collect(analytics);
  captureRetryDelays(analytics, 5);
  try {
    const ids = send(analytics, 60, 'mixed');
    await flushWithin(analytics, 'mixed');

    assert.deepEqual(errors, []);
    const ingested = tally(server.ingestedIds());
    assert.deepEqual([...ingested.keys()].sort(), [...ids].sort());
    for (const [id, times] of ingested) assert.equal(times, 1, `${id} ingested once`);
    recordFigures({ suite: 'mixed outage', fault: `${rotation.length} faults in rotation`, sent: 60, delivered: ingested.size, reportedLost: 0, silentlyLost: 60 - ingested.size, duplicates: 0, requests: server.requests.length });
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});
