import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readOtlpLogs } from '../../src/receiver/otlp/read-otlp-logs.js';
import { readOtlpTraces } from '../../src/receiver/otlp/read-otlp-traces.js';
import { MAX_EVENT_ATTRIBUTES, MAX_KEY_LEVELS } from '../../src/receiver/otlp/attribute-limits.js';

const KEY_JSON = JSON.stringify('k');
type KeyValue = { key: string; value: { stringValue: string } };
const kv = (key: string, value = 'v'): KeyValue => ({ key, value: { stringValue: value } });
const TRACK = [kv('analytics.user_id', 'u'), kv('analytics.event', 'E')];
const manyAttributes = (count: number) => [...TRACK, ...Array.from({ length: count - TRACK.length }, (_, i) => kv(`app.k${i}`))];
const deepKey = (levels: number) => `analytics.properties.${Array.from({ length: levels }, (_, i) => `l${i}`).join('.')}`;

function logs(...records: KeyValue[][]) {
  return { resourceLogs: [{ scopeLogs: [{ logRecords: records.map((attributes) => ({ eventName: 'analytics.track', timeUnixNano: '1767225600000000000', attributes })) }] }] };
}

test(`an analytics log record over ${MAX_EVENT_ATTRIBUTES} attributes, or with a flattened key deeper than ${MAX_KEY_LEVELS} levels, is rejected alone, saying why; the others of the request are read`, () => {
  const read = readOtlpLogs(logs(TRACK, manyAttributes(MAX_EVENT_ATTRIBUTES + 1), [...TRACK, kv(deepKey(MAX_KEY_LEVELS + 1))], manyAttributes(MAX_EVENT_ATTRIBUTES), [...TRACK, kv(deepKey(MAX_KEY_LEVELS))]), KEY_JSON, [0, 0]);
  assert.equal(read.messages.length, 3, 'the records within the limits are read');
  assert.equal(read.rejected, 2);
  assert.match(read.problems.join('\n'), new RegExp(`${MAX_EVENT_ATTRIBUTES + 1} attributes, over the limit of ${MAX_EVENT_ATTRIBUTES}`));
  assert.match(read.problems.join('\n'), new RegExp(`nests ${MAX_KEY_LEVELS + 1} levels deep, over the limit of ${MAX_KEY_LEVELS}`));
});

test('a span event over the limits is rejected alone: the span\'s other events keep their derived messageIds', () => {
  const span = (events: Array<{ name: string; attributes: KeyValue[] }>) => ({
    resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', events: events.map((event) => ({ ...event, timeUnixNano: '1767225600000000000' })) }] }] }],
  });
  const small = { name: 'analytics.track', attributes: TRACK };
  const before = readOtlpTraces(span([small, small, small]), KEY_JSON, [0, 0]);
  const read = readOtlpTraces(span([small, { name: 'analytics.track', attributes: manyAttributes(MAX_EVENT_ATTRIBUTES + 1) }, small]), KEY_JSON, [0, 0]);
  assert.equal(read.rejected, 1);
  assert.match(read.problems.join('\n'), /over the limit/);
  assert.deepEqual(read.messages.map((message) => message.messageId), [before.messages[0]!.messageId, before.messages[2]!.messageId]);
});
