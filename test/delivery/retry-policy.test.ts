import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RetryPolicy, type RetryDelay } from '../../src/delivery/retry-policy.js';
import { retryDelayMillis } from '../../src/transport/backoff.js';
import { classifyResponse } from '../../src/transport/classify-response.js';
import type { TransportResult } from '../../src/transport/transport-result.js';

const NOW = Date.UTC(2026, 0, 1);

/** A policy whose `retryDelay` records each call and answers `delayMillis` (or the server's hint). */
function capturing(budget: { maxRetries: number; maxRetryDuration: number }, delayMillis = 100) {
  const calls: Array<[attempt: number, retryAfterMillis: number | undefined]> = [];
  const retryDelay: RetryDelay = (attempt, retryAfterMillis) => {
    calls.push([attempt, retryAfterMillis]);
    return retryAfterMillis ?? delayMillis;
  };
  return { policy: new RetryPolicy({ ...budget, retryDelay }), calls };
}

const answered = (status: number, retryAfter?: string): TransportResult => classifyResponse({ status, retryAfter, body: '', bodyComplete: true }, NOW);
const state = (attempts: number, messageCount = 10, firstAttemptAt = NOW) => ({ attempts, firstAttemptAt, messageCount });

test('a retryable status is retried after the backoff until maxRetries retries were made, then exhausted', () => {
  const { policy, calls } = capturing({ maxRetries: 3, maxRetryDuration: 60_000 });
  for (const attempts of [1, 2, 3]) {
    assert.deepEqual(policy.decide(answered(503), state(attempts), NOW), { action: 'retry', delayMillis: 100, serverAsked: false });
  }
  const last = policy.decide(answered(503), state(4), NOW);
  assert.equal(last.action, 'exhausted');
  assert.equal(last.action === 'exhausted' && last.reason, 'gave up after 4 attempts: HTTP 503');
  assert.deepEqual(calls, [[1, undefined], [2, undefined], [3, undefined]], 'no delay is chosen for a batch past its retries');
});

test('a retry whose wait would end past maxRetryDuration is exhausted at the deadline, and its delay is reused to outlast', () => {
  const { policy, calls } = capturing({ maxRetries: 10, maxRetryDuration: 1000 }, 400);
  assert.equal(policy.decide(answered(500), state(2, 10, NOW - 600), NOW).action, 'retry', 'ends exactly at the deadline');
  const decision = policy.decide(answered(500), state(3, 10, NOW - 601), NOW);
  assert.equal(decision.action, 'exhausted');
  if (decision.action !== 'exhausted') return;
  assert.equal(decision.reason, 'gave up after 3 attempts, at the 1000 ms retry deadline: HTTP 500');
  assert.equal(decision.outlastDelayMillis(), 400);
  assert.equal(calls.length, 2, 'the delay already chosen is not chosen again');
});

test('an exhausted batch past its retries chooses an outlasting delay only when asked', () => {
  const { policy, calls } = capturing({ maxRetries: 0, maxRetryDuration: 60_000 }, 250);
  const decision = policy.decide(answered(429, '7'), state(1), NOW);
  assert.equal(decision.action, 'exhausted');
  assert.equal(calls.length, 0);
  assert.equal(decision.action === 'exhausted' && decision.serverAsked, true);
  assert.equal(decision.action === 'exhausted' && decision.outlastDelayMillis(), 7000);
  assert.deepEqual(calls, [[1, 7000]]);
});

test("the server's Retry-After (seconds or date, capped at 60 s) is the wait, and marks it as asked for", () => {
  const { policy, calls } = capturing({ maxRetries: 5, maxRetryDuration: 600_000 });
  assert.deepEqual(policy.decide(answered(429, '3'), state(1), NOW), { action: 'retry', delayMillis: 3000, serverAsked: true });
  assert.deepEqual(policy.decide(answered(503, new Date(NOW + 9000).toUTCString()), state(1), NOW), { action: 'retry', delayMillis: 9000, serverAsked: true });
  assert.deepEqual(policy.decide(answered(408, '3600'), state(1), NOW), { action: 'retry', delayMillis: 60_000, serverAsked: true });
  assert.deepEqual(policy.decide(answered(503, 'soon'), state(1), NOW), { action: 'retry', delayMillis: 100, serverAsked: false });
  assert.deepEqual(calls, [[1, 3000], [1, 9000], [1, 60_000], [1, undefined]]);
});

test('without a retryDelay the backoff grows from 500 ms by 2, jittered by at most 20 %, capped at 30 s', () => {
  const policy = new RetryPolicy({ maxRetries: 20, maxRetryDuration: Number.MAX_SAFE_INTEGER });
  for (let attempt = 1; attempt <= 12; attempt++) {
    const decision = policy.decide(answered(502), state(attempt), NOW);
    assert.equal(decision.action, 'retry');
    const base = Math.min(500 * 2 ** (attempt - 1), 30_000);
    const delay = decision.action === 'retry' ? decision.delayMillis : NaN;
    assert.ok(delay >= Math.round(base * 0.8) && delay <= Math.round(base * 1.2), `attempt ${attempt}: ${delay} ms`);
  }
  assert.equal(retryDelayMillis(3, undefined, () => 0), 1600);
  assert.equal(retryDelayMillis(3, undefined, () => 0.5), 2000);
});

test('success settles; 413 splits a batch and gives up a single message; other failures give up with their code', () => {
  const { policy, calls } = capturing({ maxRetries: 5, maxRetryDuration: 60_000 });
  assert.deepEqual(policy.decide(answered(200), state(1), NOW), { action: 'settle' });
  assert.deepEqual(policy.decide(answered(413), state(1, 2), NOW), { action: 'split' });
  assert.deepEqual(policy.decide(answered(413), state(1, 1), NOW), { action: 'give-up', code: 'MR_ERR_MESSAGE_TOO_LARGE', reason: 'server answered 413 for a single message' });
  assert.deepEqual(policy.decide(answered(400), state(1), NOW), { action: 'give-up', code: 'MR_ERR_REJECTED', reason: 'server answered 400: ' });
  assert.deepEqual(policy.decide(answered(401), state(1), NOW), { action: 'give-up', code: 'MR_ERR_UNAUTHORIZED', reason: 'server answered 401: ' });
  assert.deepEqual(policy.decide(answered(501), state(1), NOW), { action: 'give-up', code: 'MR_ERR_REJECTED', reason: 'server answered 501: ' });
  const refused: TransportResult = { kind: 'failed', code: 'MR_ERR_DISPATCH_REFUSED', status: undefined, detail: 'refused before sending' };
  assert.deepEqual(policy.decide(refused, state(1), NOW), { action: 'give-up', code: 'MR_ERR_DISPATCH_REFUSED', reason: 'refused before sending' });
  assert.deepEqual(calls, [], 'nothing but a retryable answer chooses a delay');
});
