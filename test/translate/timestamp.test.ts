import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toIsoTimestamp } from '../../src/translate/timestamp.js';

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
