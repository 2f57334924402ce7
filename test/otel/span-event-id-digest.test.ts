import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { portableSha256Hex, sha256Hex } from '../../src/otel/sha256.js';

const nodeDigest = (text: string) => createHash('sha256').update(text).digest('hex');

// A span event's derived messageId is a SHA-256 of where and when it was recorded. Vercel Edge has
// no node:crypto, so there the digest is computed in JavaScript: it must be the same bytes, or the
// same span exported from two runtimes would arrive as two messages.
test('the digest written in JavaScript is SHA-256: the same as node:crypto for any text, across block boundaries', () => {
  for (let length = 0; length <= 200; length++) assert.equal(portableSha256Hex('a'.repeat(length)), nodeDigest('a'.repeat(length)), `length ${length}`);
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => portableSha256Hex(text) === nodeDigest(text)));
  assert.equal(portableSha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('on Node the digest is node:crypto’s, with the same result', () => {
  const text = '0af7651916cd43dd8448eb211c80319c/b7ad6b7169203331/3/1700000000.123456789';
  assert.equal(sha256Hex(text), nodeDigest(text));
});
