import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANY_CHAR, complement, DIGIT, type CharSet } from '../../../src/shaping/tracking-plan/char-set.js';
import { parseRegExp } from '../../../src/shaping/tracking-plan/regexp-syntax.js';

function setOf(pattern: string): CharSet {
  const node = parseRegExp(pattern);
  assert.equal(node.kind, 'char', pattern);
  return node.kind === 'char' ? node.set : [];
}

const code = (char: string): number => char.codePointAt(0)!;

test('character sets are read exactly where they can be, and as any character where they cannot', () => {
  assert.deepEqual(setOf('[^\\d]'), complement(DIGIT));
  assert.deepEqual(setOf('[a-c\\-x]'), [[code('-'), code('-')], [code('a'), code('c')], [code('x'), code('x')]]);
  assert.deepEqual(setOf('[\\u{1F600}-\\u{1F64F}]'), [[0x1f600, 0x1f64f]]);
  assert.deepEqual(setOf('\\uD83D\\uDE00'), [[0x1f600, 0x1f600]]);
  assert.deepEqual(setOf('[\\b]'), [[8, 8]]);
  assert.deepEqual(setOf('\\cJ'), [[10, 10]]);
  // A property escape's set is not computed: taken as any character, and so is its negation.
  assert.deepEqual(setOf('\\p{L}'), ANY_CHAR);
  assert.deepEqual(setOf('[^\\p{L}a]'), ANY_CHAR);
});

test('quantifiers, groups and lookarounds are read with their bounds and offsets', () => {
  assert.deepEqual(parseRegExp('(?:ab){2,5}?'), { kind: 'repeat', min: 2, max: 5, at: 6, body: { kind: 'seq', items: [{ kind: 'char', set: [[97, 97]] }, { kind: 'char', set: [[98, 98]] }] } });
  assert.deepEqual(parseRegExp('(?<!a)'), { kind: 'look', behind: true, negative: true, at: 0, body: { kind: 'char', set: [[97, 97]] } });
  assert.deepEqual(parseRegExp('(?<year>\\b)'), { kind: 'assert', which: 'b' });
});

test('a group form the parser does not know is a SyntaxError, never a guess', () => {
  assert.throws(() => parseRegExp('(?i:a)'), (error: unknown) => error instanceof SyntaxError && /group at offset 0 has a form this check does not read/.test(error.message));
});
