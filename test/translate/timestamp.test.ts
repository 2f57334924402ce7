import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoTimeOf, toIsoTimestamp } from '../../src/translate/timestamp.js';

test('ISO 8601 strings are read (as UTC without an offset); anything Date.parse would guess at is refused', () => {
  const read: Array<[string, string]> = [
    ['2024-02-03', '2024-02-03T00:00:00.000Z'],
    ['2024-02-03T04:05:06Z', '2024-02-03T04:05:06.000Z'],
    ['2024-02-03T04:05:06.789+02:00', '2024-02-03T02:05:06.789Z'],
    ['2024-02-03T04:05', '2024-02-03T04:05:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ];
  for (const [input, expected] of read) assert.equal(toIsoTimestamp(input), expected, input);
  for (const input of ['1', '12', 'hello 2020', '2024-02-31', '2023-02-29', '2024-13-01', '2024-02-03T24:00:00Z', 'Tue, 03 Feb 2024 04:05:06 GMT', '']) {
    assert.equal(toIsoTimestamp(input), undefined, JSON.stringify(input));
  }
  assert.equal(toIsoTimestamp(new Date('invalid')), undefined);
  assert.equal(toIsoTimestamp(0), '1970-01-01T00:00:00.000Z');
});

test('isoTimeOf gives the text of toISOString, within one second, across seconds, before 1970 and in extended years', () => {
  const times = [0, -1, 999, 1000, 1001, -999, -1000, -1001, 1_700_000_000_000, 1_700_000_000_007, 1_700_000_000_042, 1_700_000_000_999, 1_700_000_001_000];
  times.push(-62_198_755_200_000 - 1, 253_402_300_800_000 + 123, 8.64e15, -8.64e15);
  // Runs of calls in the same second, as a busy service makes them, and jumps back and forth.
  let random = 1;
  for (let i = 0; i < 2000; i++) {
    random = (random * 48271) % 2147483647;
    times.push(i % 3 === 0 ? Math.floor((random / 2147483647 - 0.5) * 1.7e15) : times[times.length - 1]! + (random % 7));
  }
  for (const millis of times) assert.equal(isoTimeOf(millis), new Date(millis).toISOString(), String(millis));
  assert.throws(() => isoTimeOf(Number.NaN), RangeError);
});
