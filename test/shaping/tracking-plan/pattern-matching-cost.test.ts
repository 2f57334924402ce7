import assert from 'node:assert/strict';
import { test } from 'node:test';
import { regexpHazard } from '../../../src/shaping/tracking-plan/safe-regexp.js';
import { backtrackingSteps } from './backtracking-steps.js';

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
  '^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$',
  '^(?=.*[a-z])(?=.*\\d).{8,}$',
  '^(\\d{1,3}\\.){3}\\d{1,3}$',
  '^(\\d{5}|\\d{5}-\\d{4})$',
  '^-?\\d+(\\.\\d+)?$',
  '\\d+',
  'a\\d',
  '^\\+?[1-9]\\d{1,14}$',
  '^[^@]+@[^@]+$',
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$',
  '^.*$',
  '^a*b*c*$',
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
