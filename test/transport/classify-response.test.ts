import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKOFF_MULTIPLIER, INITIAL_BACKOFF_MILLIS, JITTER, MAX_BACKOFF_MILLIS, retryDelayMillis } from '../../src/transport/backoff.js';
import { classifyResponse, type ResponseFacts } from '../../src/transport/classify-response.js';
import { MAX_RETRY_AFTER_MILLIS, parseRetryAfter } from '../../src/transport/retry-after.js';

const NOW = Date.parse('2026-03-04T05:06:07.000Z');

function facts(status: number, retryAfter?: string | string[], body = '', bodyComplete = true): ResponseFacts {
  return { status, retryAfter, body, bodyComplete };
}

test('200 and 204 are success with nothing rejected', () => {
  for (const status of [200, 204]) {
    assert.deepEqual(classifyResponse(facts(status), NOW), { kind: 'success', status, rejectedIds: [], detail: '' }, `HTTP ${status}`);
  }
});

test('207 is success that names the rejected messageIds of its {"Errors":[{"messageId":…}]} body', () => {
  const body = JSON.stringify({ Errors: [{ messageId: 'm-2', error: 'bad event' }, { messageId: 'm-5', error: 'too old' }] });
  const result = classifyResponse(facts(207, undefined, body), NOW);
  assert.equal(result.kind, 'success');
  assert.ok(result.kind === 'success');
  assert.equal(result.status, 207);
  assert.deepEqual(result.rejectedIds, ['m-2', 'm-5']);
  assert.match(result.detail, /bad event/);
});

test('207 with an empty Errors list is success with nothing rejected', () => {
  assert.deepEqual(classifyResponse(facts(207, undefined, '{"Errors":[]}'), NOW), { kind: 'success', status: 207, rejectedIds: [], detail: '{"Errors":[]}' });
});

test('207 whose body does not say which messages were rejected fails the batch with MR_ERR_PARTIAL_UNREADABLE (never success, never a retry)', () => {
  for (const body of ['', 'not json', '[]', '{}', '{"Errors":"nope"}', '{"Errors":[{"id":"x"},{"messageId":7}]}', '{"Errors":[{"messageId":"m-1"},{"error":"no id"}]}']) {
    const result = classifyResponse(facts(207, undefined, body), NOW);
    assert.equal(result.kind, 'failed', `body ${JSON.stringify(body)}`);
    assert.ok(result.kind === 'failed');
    assert.equal(result.code, 'MR_ERR_PARTIAL_UNREADABLE', `body ${JSON.stringify(body)}`);
    assert.equal(result.status, 207);
  }
  const cut = classifyResponse(facts(207, undefined, '{"Errors":[]}', false), NOW);
  assert.ok(cut.kind === 'failed' && cut.code === 'MR_ERR_PARTIAL_UNREADABLE', 'a body cut at the read limit is not trusted even when its start parses');
});

test('408, 429, 500, 502, 503 and 504 are retryable, without a hint when there is no Retry-After', () => {
  for (const status of [408, 429, 500, 502, 503, 504]) {
    const result = classifyResponse(facts(status), NOW);
    assert.equal(result.kind, 'retryable', `HTTP ${status}`);
    assert.ok(result.kind === 'retryable');
    assert.equal(result.status, status);
    assert.equal(result.retryAfterMillis, undefined, `HTTP ${status}`);
  }
});

test('retryable statuses carry Retry-After: delay-seconds, HTTP-date, garbage, and long hints capped', () => {
  for (const status of [408, 429, 500, 502, 503, 504]) {
    const hint = (retryAfter: string) => {
      const result = classifyResponse(facts(status, retryAfter), NOW);
      assert.ok(result.kind === 'retryable', `HTTP ${status} is retryable`);
      return result.retryAfterMillis;
    };
    assert.equal(hint('2'), 2000, `HTTP ${status} Retry-After: 2`);
    assert.equal(hint(new Date(NOW + 7000).toUTCString()), 7000, `HTTP ${status} Retry-After as HTTP-date`);
    assert.equal(hint('soon'), undefined, `HTTP ${status} Retry-After: soon`);
    assert.equal(hint('86400'), MAX_RETRY_AFTER_MILLIS, `HTTP ${status} Retry-After: a day`);
  }
});

test('501 and 505 are failed with MR_ERR_REJECTED, not retried', () => {
  for (const status of [501, 505]) {
    const result = classifyResponse(facts(status, '1', 'not implemented'), NOW);
    assert.equal(result.kind, 'failed', `HTTP ${status}`);
    assert.ok(result.kind === 'failed');
    assert.equal(result.code, 'MR_ERR_REJECTED');
    assert.equal(result.status, status);
    assert.equal(result.detail, 'not implemented');
  }
});

test('413 is too-large', () => {
  assert.deepEqual(classifyResponse(facts(413), NOW), { kind: 'too-large', status: 413 });
});

test('400, 422 and other 4xx are failed with MR_ERR_REJECTED and the start of the server body', () => {
  for (const status of [400, 409, 410, 422]) {
    const result = classifyResponse(facts(status, undefined, `{"error":"status ${status}"}`), NOW);
    assert.ok(result.kind === 'failed', `HTTP ${status} is failed`);
    assert.equal(result.code, 'MR_ERR_REJECTED', `HTTP ${status}`);
    assert.equal(result.status, status);
    assert.equal(result.detail, `{"error":"status ${status}"}`);
  }
  const long = classifyResponse(facts(400, undefined, 'x'.repeat(10_000)), NOW);
  assert.ok(long.kind === 'failed');
  assert.ok(long.detail.length <= 500, 'the detail is cut short');
});

test('401 and 403 are MR_ERR_UNAUTHORIZED; 404 is MR_ERR_ENDPOINT_NOT_FOUND', () => {
  for (const [status, code] of [
    [401, 'MR_ERR_UNAUTHORIZED'],
    [403, 'MR_ERR_UNAUTHORIZED'],
    [404, 'MR_ERR_ENDPOINT_NOT_FOUND'],
  ] as const) {
    const result = classifyResponse(facts(status), NOW);
    assert.ok(result.kind === 'failed', `HTTP ${status} is failed`);
    assert.equal(result.code, code, `HTTP ${status}`);
    assert.equal(result.status, status);
  }
});

test('parseRetryAfter reads delay-seconds as milliseconds', () => {
  assert.equal(parseRetryAfter(undefined, NOW), undefined);
  assert.equal(parseRetryAfter('0', NOW), 0);
  assert.equal(parseRetryAfter('2', NOW), 2000);
  assert.equal(parseRetryAfter(' 7 ', NOW), 7000);
  assert.equal(parseRetryAfter(['3', '9'], NOW), 3000, 'the first of repeated headers');
});

test('parseRetryAfter reads an HTTP-date as the time left until it, and a past date as 0', () => {
  assert.equal(parseRetryAfter(new Date(NOW + 12_000).toUTCString(), NOW), 12_000);
  assert.equal(parseRetryAfter('Wed, 04 Mar 2026 05:06:10 GMT', NOW), 3000);
  assert.equal(parseRetryAfter(new Date(NOW - 5000).toUTCString(), NOW), 0);
});

test('parseRetryAfter caps long hints, as seconds or as a date, at MAX_RETRY_AFTER_MILLIS', () => {
  assert.equal(parseRetryAfter(String(MAX_RETRY_AFTER_MILLIS / 1000), NOW), MAX_RETRY_AFTER_MILLIS);
  assert.equal(parseRetryAfter(String(MAX_RETRY_AFTER_MILLIS / 1000 + 1), NOW), MAX_RETRY_AFTER_MILLIS);
  assert.equal(parseRetryAfter('99999999999999999999', NOW), MAX_RETRY_AFTER_MILLIS);
  assert.equal(parseRetryAfter(new Date(NOW + 3_600_000).toUTCString(), NOW), MAX_RETRY_AFTER_MILLIS);
});

test('parseRetryAfter ignores a value that is neither delay-seconds nor an HTTP-date', () => {
  for (const garbage of ['', 'soon', 'abc', '5 seconds', '12abc', '1e3', '1.5', '-5', 'foo 1']) {
    assert.equal(parseRetryAfter(garbage, NOW), undefined, `Retry-After: ${JSON.stringify(garbage)}`);
  }
});

test('parseRetryAfter reads all three HTTP-date formats of RFC 9110 as GMT, whatever the local time zone', () => {
  const now = Date.parse('1994-11-06T08:49:30.000Z');
  const zone = process.env.TZ;
  process.env.TZ = 'America/New_York';
  try {
    assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now), 7000, 'IMF-fixdate');
    assert.equal(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now), 7000, 'RFC 850 date');
    assert.equal(parseRetryAfter('Sun Nov  6 08:49:37 1994', now), 7000, 'asctime date (GMT by definition)');
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});

test('retryDelayMillis grows exponentially from INITIAL_BACKOFF_MILLIS and stops at MAX_BACKOFF_MILLIS', () => {
  const middle = () => 0.5; // no jitter
  assert.equal(retryDelayMillis(1, undefined, middle), INITIAL_BACKOFF_MILLIS);
  for (let attempt = 2; attempt <= 6; attempt++) {
    const expected = Math.min(INITIAL_BACKOFF_MILLIS * BACKOFF_MULTIPLIER ** (attempt - 1), MAX_BACKOFF_MILLIS);
    assert.equal(retryDelayMillis(attempt, undefined, middle), expected, `attempt ${attempt}`);
    assert.ok(retryDelayMillis(attempt, undefined, middle) > retryDelayMillis(attempt - 1, undefined, middle), `attempt ${attempt} waits longer`);
  }
  assert.equal(retryDelayMillis(1, undefined, middle), 500);
  assert.equal(retryDelayMillis(2, undefined, middle), 1000);
  assert.equal(retryDelayMillis(3, undefined, middle), 2000);
  for (const attempt of [7, 10, 30, 1000]) {
    assert.equal(retryDelayMillis(attempt, undefined, middle), MAX_BACKOFF_MILLIS, `attempt ${attempt} is capped`);
  }
});

test('retryDelayMillis jitter stays within ±JITTER of the base, at both ends of random()', () => {
  for (let attempt = 1; attempt <= 12; attempt++) {
    const base = Math.min(INITIAL_BACKOFF_MILLIS * BACKOFF_MULTIPLIER ** (attempt - 1), MAX_BACKOFF_MILLIS);
    const low = retryDelayMillis(attempt, undefined, () => 0);
    const high = retryDelayMillis(attempt, undefined, () => 0.999_999);
    assert.equal(low, Math.round(base * (1 - JITTER)), `attempt ${attempt}, random() = 0`);
    assert.ok(high <= Math.round(base * (1 + JITTER)) && high > base, `attempt ${attempt}, random() near 1: ${high}`);
    assert.ok(low < high, `attempt ${attempt}: jitter moves the delay`);
  }
  for (let i = 0; i < 200; i++) {
    const delay = retryDelayMillis(3, undefined);
    assert.ok(delay >= 2000 * (1 - JITTER) && delay <= 2000 * (1 + JITTER), `default random: ${delay}`);
  }
});

test("retryDelayMillis lets the server's Retry-After win over the computed backoff", () => {
  assert.equal(retryDelayMillis(1, 2000, () => 0), 2000, 'a hint longer than the backoff');
  assert.equal(retryDelayMillis(9, 1000, () => 0.999), 1000, 'a hint shorter than the backoff');
  assert.equal(retryDelayMillis(5, 0, () => 0.5), 0, 'Retry-After: 0');
  assert.equal(retryDelayMillis(2, MAX_RETRY_AFTER_MILLIS, () => 0.5), MAX_RETRY_AFTER_MILLIS);
});
