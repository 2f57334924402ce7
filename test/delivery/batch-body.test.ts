import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchBody } from '../../src/delivery/batch.js';
import type { Message } from '../../src/translate/message.js';

const SENT_AT = new Date('2026-11-30T12:00:00.000Z');
const WRITE_KEY_JSON = JSON.stringify('key-é');

function message(messageId: string, properties: Record<string, unknown>): Message {
  const json = JSON.stringify({ type: 'track', messageId, properties });
  return { messageId, json, bytes: Buffer.byteLength(json) };
}

/** The body as plain concatenation and encoding would make it. */
function expected(messages: readonly Message[]): string {
  return `{"batch":[${messages.map((each) => each.json).join(',')}],"sentAt":"${SENT_AT.toISOString()}","writeKey":${WRITE_KEY_JSON}}`;
}

test('the body holds every message, comma-separated, in order, and the envelope: byte for byte the concatenated JSON in UTF-8', () => {
  const messages = [
    message('a', { text: 'plain' }),
    message('b', { text: '€ 😀 ü', escaped: 'quote " backslash \\ newline \n' }),
    message('c', { lone: '\ud800' }),
  ];
  const body = batchBody(messages, SENT_AT, WRITE_KEY_JSON);
  assert.ok(Buffer.isBuffer(body));
  assert.equal(body.toString('utf8'), expected(messages));
  assert.equal(body.length, Buffer.byteLength(expected(messages)), 'no byte left over at the end');
  assert.deepEqual((JSON.parse(body.toString('utf8')) as { batch: { messageId: string }[] }).batch.map((each) => each.messageId), ['a', 'b', 'c']);
});

test('a single message, and one of many multi-byte characters, fill the buffer exactly', () => {
  for (const messages of [[message('only', {})], [message('wide', { text: '😀'.repeat(5000) }), message('next', { n: 1 })]]) {
    const body = batchBody(messages, SENT_AT, WRITE_KEY_JSON);
    assert.equal(body.toString('utf8'), expected(messages));
    assert.equal(body.length, Buffer.byteLength(expected(messages)));
  }
});

test('a message whose byte count is wrong (too small or too large) still yields the whole body, not a cut one', () => {
  const right = message('right', { text: 'x' });
  const wide = message('wide', { text: '€€€' });
  for (const wrong of [{ ...wide, bytes: wide.json.length }, { ...wide, bytes: wide.bytes + 7 }]) {
    for (const messages of [[wrong, right], [right, wrong]]) {
      const body = batchBody(messages, SENT_AT, WRITE_KEY_JSON);
      assert.equal(body.toString('utf8'), expected(messages));
      assert.equal(body.length, Buffer.byteLength(expected(messages)));
    }
  }
});
