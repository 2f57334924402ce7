import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRecord, isProblem, type RecordInput } from '../../src/translate/build-record.js';
import { pickFields } from '../../src/translate/pick-fields.js';
import { toMessage } from '../../src/translate/message.js';

type Input = Omit<RecordInput, 'picked'> & { fields: Record<string, unknown> };

const base: Input = {
  type: 'track',
  fields: { userId: 'u', event: 'E' },
  messageId: 'm-1',
  timestamp: '2026-01-01T00:00:00.000Z',
  traceId: undefined,
  spanId: undefined,
};

function message(input: Partial<Input>, writeKey = 'wk') {
  const { fields, ...rest } = { ...base, ...input };
  const picked = pickFields(fields);
  assert.ok(!isProblem(picked));
  const record = buildRecord({ ...rest, picked });
  assert.ok(!isProblem(record), 'valid input');
  return toMessage(record, JSON.stringify(writeKey));
}

test('the byte count is the real UTF-8 length of the JSON, for ASCII, multi-byte, emoji and empty parts', () => {
  const cases: Array<Partial<Input>> = [
    {},
    { fields: { userId: 'u', event: 'Café €', properties: { emoji: '🚀🚀', 'clé': 'valeur' } } },
    { fields: { userId: 'u', event: 'E', context: { locale: 'ja-JP', note: '日本語' } } },
    { fields: { userId: 'u', event: 'E', context: {} } },
    { fields: { userId: 'ü', event: 'E', context: { library: 'dropped' } } },
    { messageId: 'ïd-✓', traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' },
  ];
  for (const input of cases) {
    const { json, bytes } = message(input, 'clé');
    assert.equal(bytes, Buffer.byteLength(json), json);
    JSON.parse(json);
  }
});

test('the wire form: type first, user fields, messageId, timestamp, context with library and otel, writeKey', () => {
  const { json, messageId } = message({
    fields: { userId: 'u', event: 'E', properties: { a: 1 }, context: { ip: '203.0.113.1' } },
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
  });
  const parsed = JSON.parse(json);
  assert.equal(messageId, 'm-1');
  assert.deepEqual(Object.keys(parsed), ['type', 'userId', 'event', 'properties', 'messageId', 'timestamp', 'context', 'writeKey']);
  assert.deepEqual(Object.keys(parsed.context), ['library', 'otel', 'ip']);
  assert.deepEqual(parsed.context.otel, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' });
});

test('a missing messageId becomes a fresh UUID, different for each message', () => {
  const a = message({ messageId: undefined });
  const b = message({ messageId: undefined });
  assert.match(a.messageId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a.messageId, b.messageId);
  assert.equal(JSON.parse(a.json).messageId, a.messageId);
});

test('user context keys owned by the library (library, otel) are never sent; the caller keeps them', () => {
  const context = { library: { name: 'spoof' }, otel: { traceId: 'spoof' }, ip: 'x' };
  const parsed = JSON.parse(message({ fields: { userId: 'u', event: 'E', context } }).json);
  assert.notEqual(parsed.context.library.name, 'spoof');
  assert.equal(parsed.context.otel, undefined);
  assert.equal(parsed.context.ip, 'x');
  assert.deepEqual(context, { library: { name: 'spoof' }, otel: { traceId: 'spoof' }, ip: 'x' });
});

test('a messageId is written as JSON.stringify writes it, whether it needs escaping or not', () => {
  const ids = ['0f8fad5b-d9cb-469f-a165-70867728950e', 'a"b', 'back\\slash', 'tab\there', 'nul\u0000', 'del\u007f', 'line\u2028sep', 'rocket🚀', 'lone\ud800', 'lone\udc00x', 'é'];
  for (const id of ids) {
    const { json } = message({ messageId: id });
    assert.ok(json.includes(`"messageId":${JSON.stringify(id)},`), JSON.stringify(id));
    assert.equal(JSON.parse(json).messageId, JSON.parse(JSON.stringify(id)), JSON.stringify(id));
  }
});
