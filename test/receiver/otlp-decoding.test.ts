import assert from 'node:assert/strict';
import { test } from 'node:test';
import Long from 'long';
import { readOtlpLogs } from '../../src/receiver/otlp/read-otlp-logs.js';
import { decodeRequest } from '../../src/receiver/otlp-codec.js';
import { opentelemetry } from '../../src/receiver/generated/otlp.js';

const WRITE_KEY_JSON = JSON.stringify('k');
const RECEIVED_AT: [number, number] = [1_800_000_000, 0];
const TRACE_HEX = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_HEX = '00f067aa0ba902b7';

/** The same analytics log record, as protobuf bytes and as OTLP JSON text. */
function bothEncodings(traceIdJson = TRACE_HEX) {
  const big = Long.fromString('9007199254740993'); // 2^53 + 1: not a safe JS number
  const protobuf = opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest.encode({
    resourceLogs: [
      {
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: Long.fromString('1767225600123456789', true),
                eventName: 'analytics.identify',
                traceId: Buffer.from(TRACE_HEX, 'hex'),
                spanId: Buffer.from(SPAN_HEX, 'hex'),
                attributes: [{ key: 'analytics.user_id', value: { stringValue: 'u-1' } }],
                body: {
                  kvlistValue: {
                    values: [
                      {
                        key: 'traits',
                        value: {
                          kvlistValue: {
                            values: [
                              { key: 'big', value: { intValue: big } },
                              { key: 'small', value: { intValue: Long.fromNumber(-42) } },
                              { key: 'ratio', value: { doubleValue: 0.25 } },
                              { key: 'ok', value: { boolValue: false } },
                              { key: 'raw', value: { bytesValue: Buffer.from('hi there') } },
                              { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: Long.fromNumber(1) }, {}] } } },
                              { key: 'nothing', value: {} },
                              { key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } },
                            ],
                          },
                        },
                      },
                    ],
                  },
                },
              },
            ],
          },
        ],
      },
    ],
  }).finish();
  const json = JSON.stringify({
    resourceLogs: [
      {
        unknownField: { ignored: true },
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: '1767225600123456789',
                eventName: 'analytics.identify',
                traceId: traceIdJson,
                spanId: SPAN_HEX,
                severityNumber: 9,
                attributes: [{ key: 'analytics.user_id', value: { stringValue: 'u-1' } }],
                body: {
                  kvlistValue: {
                    values: [
                      {
                        key: 'traits',
                        value: {
                          kvlistValue: {
                            values: [
                              { key: 'big', value: { intValue: '9007199254740993' } },
                              { key: 'small', value: { intValue: -42 } },
                              { key: 'ratio', value: { doubleValue: 0.25 } },
                              { key: 'ok', value: { boolValue: false } },
                              { key: 'raw', value: { bytesValue: Buffer.from('hi there').toString('base64') } },
                              { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }, {}] } } },
                              { key: 'nothing', value: {} },
                              { key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } },
                            ],
                          },
                        },
                      },
                    ],
                  },
                },
              },
            ],
          },
        ],
      },
    ],
  });
  return { protobuf: Buffer.from(protobuf), json: Buffer.from(json) };
}

function messagesOf(encoding: 'protobuf' | 'json', body: Buffer): Record<string, unknown>[] {
  const read = readOtlpLogs(decodeRequest('logs', encoding, body), WRITE_KEY_JSON, RECEIVED_AT);
  assert.equal(read.rejected, 0, read.problems.join('; '));
  return read.messages.map((message) => JSON.parse(message.json) as Record<string, unknown>);
}

test('AnyValue becomes JS values: kvlist → object, array → array, bytes → base64, int64 → number when safe else decimal text, empty → null', () => {
  const [message] = messagesOf('protobuf', bothEncodings().protobuf);
  assert.ok(message !== undefined);
  const traits = message.traits as Record<string, unknown>;
  assert.deepEqual(Object.keys(traits).sort(), ['__proto__', 'big', 'list', 'nothing', 'ok', 'ratio', 'raw', 'small']);
  assert.equal(traits.big, '9007199254740993');
  assert.equal(traits.small, -42);
  assert.equal(traits.ratio, 0.25);
  assert.equal(traits.ok, false);
  assert.equal(traits.raw, Buffer.from('hi there').toString('base64'));
  assert.deepEqual(traits.list, ['a', 1, null]);
  assert.equal(traits.nothing, null);
  assert.deepEqual(traits.__proto__, { polluted: true }, 'an ordinary key');
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
  assert.equal(message.timestamp, '2026-01-01T00:00:00.123Z');
  assert.deepEqual((message.context as Record<string, unknown>).otel, { traceId: TRACE_HEX, spanId: SPAN_HEX });
});

test('the same record sent as protobuf or as OTLP JSON (hex ids, int64 as strings, unknown fields) gives the same message, messageId included', () => {
  const { protobuf, json } = bothEncodings(TRACE_HEX.toUpperCase());
  assert.deepEqual(messagesOf('json', json), messagesOf('protobuf', protobuf));
});

test('record times: time_unix_nano, else observed_time_unix_nano, else the time the request was received; all-zero ids give no context.otel', () => {
  const request = (record: Record<string, unknown>) => Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [record] }] }] }));
  const base = { eventName: 'analytics.screen', attributes: [{ key: 'analytics.user_id', value: { stringValue: 'u-2' } }] };
  const observed = messagesOf('json', request({ ...base, timeUnixNano: 0, observedTimeUnixNano: 1767225600000000000 }))[0]!;
  assert.equal(observed.timestamp, '2026-01-01T00:00:00.000Z');
  const none = messagesOf('json', request({ ...base, traceId: '0'.repeat(32), spanId: '0'.repeat(16) }))[0]!;
  assert.equal(none.timestamp, new Date(RECEIVED_AT[0] * 1000).toISOString());
  assert.equal((none.context as Record<string, unknown>).otel, undefined);
});
