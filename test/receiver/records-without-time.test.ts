import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readOtlpLogs } from '../../src/receiver/otlp/read-otlp-logs.js';
import { readOtlpTraces } from '../../src/receiver/otlp/read-otlp-traces.js';

const KEY_JSON = JSON.stringify('k');
const RECEIVED_AT: [number, number] = [1_800_000_000, 0];
const RECEIVED_ISO = new Date(1_800_000_000_000).toISOString();
const TRACK = [{ key: 'analytics.user_id', value: { stringValue: 'u' } }, { key: 'analytics.event', value: { stringValue: 'Clicked' } }];
const parsed = (json: string) => JSON.parse(json) as { messageId: string; timestamp: string };

test('a span event without timeUnixNano takes its span\'s start time (else the time the bridge received it), never 1970', () => {
  const request = (span: Record<string, unknown>) => ({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', events: [{ name: 'analytics.track', attributes: TRACK }], ...span }] }] }] });
  const withStart = readOtlpTraces(request({ startTimeUnixNano: '1767225600123000000' }), KEY_JSON, RECEIVED_AT);
  assert.equal(parsed(withStart.messages[0]!.json).timestamp, '2026-01-01T00:00:00.123Z');
  const without = readOtlpTraces(request({}), KEY_JSON, RECEIVED_AT);
  assert.equal(parsed(without.messages[0]!.json).timestamp, RECEIVED_ISO);
  assert.equal(readOtlpTraces(request({ startTimeUnixNano: '1767225600123000000' }), KEY_JSON, [1_900_000_000, 0]).messages[0]!.messageId, withStart.messages[0]!.messageId, 'the derived messageId stays stable across re-sends');
});

test('two identical log records with no time, no observed time and no trace are two messages (distinct derived messageIds), the same ones each time the request is re-sent', () => {
  const request = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ eventName: 'analytics.track', attributes: TRACK }, { eventName: 'analytics.track', attributes: TRACK }] }] }] };
  const first = readOtlpLogs(request, KEY_JSON, RECEIVED_AT);
  const ids = first.messages.map((message) => message.messageId);
  assert.equal(new Set(ids).size, 2, 'two events, two ids');
  assert.deepEqual(readOtlpLogs(request, KEY_JSON, [1_900_000_000, 0]).messages.map((message) => message.messageId), ids);
  assert.equal(parsed(first.messages[0]!.json).timestamp, RECEIVED_ISO);
  const observed = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ eventName: 'analytics.track', observedTimeUnixNano: '1767225600000000000', attributes: TRACK }, { eventName: 'analytics.track', observedTimeUnixNano: '1767225600000000001', attributes: TRACK }] }] }] };
  assert.equal(new Set(readOtlpLogs(observed, KEY_JSON, RECEIVED_AT).messages.map((message) => message.messageId)).size, 2, 'the observed time tells records apart');
});
