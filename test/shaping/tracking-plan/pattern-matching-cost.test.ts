import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { regexpHazard } from '../../../src/shaping/tracking-plan/safe-regexp.js';
import { backtrackingSteps } from './backtracking-steps.js';
import { EVERYDAY_PATTERNS } from './everyday-patterns.js';

/** Patterns the check accepts, as plans write them: each must match in steps that grow linearly with the text. */
const ACCEPTED = [
  '^[a-z]+$',
  '^[A-Z]{3}-\\d+$',
  '(ab)+',
  '^(a|b)*$',
  '^(https?://)?[\\w.-]+$',
  '^\\(\\d+\\)+$',
  '^(a+)?b$',
  '^(?:foo|bar|baz)+$',
  '^(?=.)[a-z]+$',
  ...EVERYDAY_PATTERNS,
  'a\\d',
  '^.*$',
  '^a*b*c*$',
  // The rewrites docs/tracking-plans.md gives for refused patterns.
  '^[^@]+@.+$',
  '^\\d+(\\.\\d*)?$',
  '.@.',
  '[a-z]x',
  '^[a-z]+(?:_[0-9]{2})*$',
];

/** Patterns refused as polynomial: the same measure sees their steps grow faster than the text. */
const REFUSED = ['^a*a*$', '[a-z]+x', '^(.*a){2}$', '^\\d+\\.?\\d*$', '^.*@.*\\..*$', '(?=.*x)', '^(a+|b)(a+|c)$'];

/** Characters an attacker would pump: those the pattern names, and a few of each common class. */
function alphabet(pattern: string): string[] {
  const named = pattern.replace(/\\[a-zA-Z]/g, '').match(/[ -~]/g) ?? [];
  return [...new Set([...named, 'a', 'b', 'x', 'A', '0', '1', '_', '-', '.', '@', ' '])];
}

/** The most steps over texts of about `length` characters: a pumped character or pair, then nothing or a character no pattern names. */
function worstSteps(pattern: string, length: number): number {
  const chars = alphabet(pattern);
  const pumps = [...chars, ...chars.slice(0, 8).flatMap((first) => chars.slice(0, 8).map((second) => first + second))];
  let worst = 0;
  for (const pump of pumps) {
    for (const suffix of ['', '\u0001']) worst = Math.max(worst, backtrackingSteps(pattern, pump.repeat(length / pump.length) + suffix));
  }
  return worst;
}

/** How much the worst steps grow when the text is four times longer: 4 for linear, 16 for quadratic. */
function growth(pattern: string): number {
  return worstSteps(pattern, 128) / worstSteps(pattern, 32);
}

test('every accepted pattern matches adversarial texts in steps linear in their length', () => {
  for (const pattern of ACCEPTED) {
    assert.equal(regexpHazard(pattern), undefined, pattern);
    const grows = growth(pattern);
    assert.ok(grows < 5, `${pattern}: steps grow ${grows.toFixed(1)}× for a 4× longer text`);
  }
});

test('the polynomial patterns the check refuses do take super-linear steps on the same texts', () => {
  for (const pattern of REFUSED) {
    assert.match(regexpHazard(pattern) ?? 'accepted', /polynomial backtracking/, pattern);
    const grows = growth(pattern);
    assert.ok(grows > 10, `${pattern}: steps grow ${grows.toFixed(1)}× for a 4× longer text`);
  }
});

/** A fixed seed: a failure names it and replays the same way. */
const SEED = 20_261_207;

const atom = fc.constantFrom('a', 'b', '.', '[ab]', '[^a]', '\\d', '1', '(?=a)', '(?!b)', '$', '\\b');
const quantifier = fc.constantFrom('', '*', '+', '?', '{2}', '{1,3}', '{2,}', '*?', '+?');
const ZERO_WIDTH = /^(\(\?[=!]|\$$|\\b$)/;
const { pattern } = fc.letrec((tie) => ({
  pattern: fc.array(tie('piece'), { minLength: 1, maxLength: 5 }).map((pieces) => (pieces as string[]).join('')),
  piece: fc.oneof(
    { depthSize: 'small' },
    fc.tuple(atom, quantifier).map(([char, count]) => (ZERO_WIDTH.test(char) ? char : char + count)),
    fc.tuple(tie('pattern'), fc.option(tie('pattern')), quantifier).map(([first, second, count]) => `(?:${first as string}${second === null ? '' : `|${second as string}`})${count}`),
  ),
}));

/** The most steps over a few pumped texts of about `length` characters, each with and without a failing end. */
function worstPumpedSteps(regexp: string, length: number): number {
  let worst = 0;
  for (const pump of ['a', 'b', '1', 'ab', 'ba', 'a1', 'aab', 'abb']) {
    for (const suffix of ['', '!', 'a!']) worst = Math.max(worst, backtrackingSteps(regexp, pump.repeat(Math.ceil(length / pump.length)) + suffix));
  }
  return worst;
}

test('any pattern the check accepts, among random ones, matches pumped texts in linear steps', () => {
  fc.assert(
    fc.property(fc.boolean(), pattern, (anchored, body) => {
      const regexp = `${anchored ? '^' : ''}${body}`;
      if (regexpHazard(regexp) !== undefined) return;
      const grows = worstPumpedSteps(regexp, 160) / worstPumpedSteps(regexp, 40);
      assert.ok(grows < 5, `${regexp}: steps grow ${grows.toFixed(1)}× for a 4× longer text`);
    }),
    { seed: SEED, numRuns: 1500 },
  );
});
