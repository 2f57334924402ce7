import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigurationError } from '../../../src/errors/metarouter-error.js';
// The Node entry provides Ajv, which compiles the plans (the edge entry has none).
import '../../../src/index.js';
import { createPlanEnforcer, type PlanEnforcer } from '../../../src/shaping/tracking-plan/index.js';
import { regexpHazard } from '../../../src/shaping/tracking-plan/safe-regexp.js';
import { MAX_VIOLATIONS_PER_MESSAGE } from '../../../src/shaping/tracking-plan/violation.js';
import { EVERYDAY_PATTERNS } from './everyday-patterns.js';

function trackRule(properties: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return { rules: [{ key: 'E', type: 'TRACK', version: 1, jsonSchema: { type: 'object', properties: { properties: { type: 'object', properties, ...extra } }, ...extra } }] };
}

function make(plan: unknown): PlanEnforcer {
  const made = createPlanEnforcer({ trackingPlan: plan as string });
  assert.ok(made !== undefined);
  return made;
}

const HAZARDS: ReadonlyArray<[string, RegExp]> = [
  ['(a+)+$', /nested repetition/],
  ['^(\\w*)*@', /nested repetition/],
  ['^([a-z]+\\d*){2,}$', /nested repetition/],
  ['((ab)*c)+', /nested repetition/],
  ['(x+x+)+y', /polynomial backtracking/],
  ['(.*a){1,}', /nested repetition/],
  ['(a|a)*b', /overlapping alternatives/],
  ['^(a|ab)+$', /overlapping alternatives/],
  ['^(\\w|_)*@', /overlapping alternatives/],
  ['((x|x)y)*z', /overlapping alternatives/],
  ['(?:a|)+b', /overlapping alternatives/],
  ['^(a)\\1$', /back-reference/],
  ['^(?<x>a)\\k<x>$', /back-reference/],
  ['a'.repeat(1001), /over 1000 characters/],
  // Polynomial: two quantifiers (or the search of an unanchored pattern and a quantifier) that can share text.
  ['^(.*a){12}$', /at offset 3, in a repeated part, may match the same text in one repeat as in the next.*polynomial backtracking/],
  ['^a*a*a*a*a*a*a*$', /quantifier at offset 2 and the quantifier at offset 4 may match the same text.*polynomial backtracking/],
  ['^.*a.*a$', /polynomial backtracking/],
  ['^\\d+\\.?\\d*$', /polynomial backtracking/],
  ['[a-z]+x', /not anchored with \^, and the quantifier at offset 5 may match text the search has passed over/],
  ['(?=.*x)', /not anchored with \^, and the lookaround at offset 0/],
  ['^(?!.*a.*a.*b)', /polynomial backtracking/],
  // Exponential in the pattern's own size: alternatives that may match alike, one after the other.
  ['(a|a){30}', /more than 64 ways/],
  [`^${'(a|a)'.repeat(7)}x`, /more than 64 ways/],
  [`^${'('.repeat(12)}a*b${'){2}'.repeat(12)}`, /too intricate to check/],
  ['^(?:[a-z]', /not a valid regular expression/],
];

const SAFE = ['^[a-z]+$', '^[A-Z]{3}-\\d+$', '(ab)+', '^(a|b)*$', '^(https?://)?[\\w.-]+$', '^\\(\\d+\\)+$', '[(+*]+', '^(a+)?b$', '^\\d{4}-\\d{2}-\\d{2}$', '^(?:ab)*$', '^(?:foo|bar|baz)+$', '^(?<year>\\d{4})-\\d{2}$', '^(?=.)[a-z]+$', '^(https?|ftp)://'];
const SAFE_TOO = [
  ...EVERYDAY_PATTERNS,
  '^\\p{L}+$',
  '^[\\u{1F600}-\\u{1F64F}]+$',
  '^.*$',
  `^${'(a|b)'.repeat(7)}x`,
];

for (const [pattern, why] of HAZARDS) {
  test(`a hazardous pattern is refused at construction: ${pattern.slice(0, 30)}`, () => {
    assert.match(regexpHazard(pattern) ?? 'accepted', why);
    for (const plan of [trackRule({ code: { type: 'string', pattern } }), trackRule({}, { patternProperties: { [pattern]: { type: 'string' } } })]) {
      assert.throws(
        () => createPlanEnforcer({ trackingPlan: plan as string }),
        (error: unknown) => error instanceof ConfigurationError && /rule TRACK "E" v1 \(rules\[0\]\) is not a valid JSON Schema.*is refused/.test(error.message),
      );
    }
  });
}

test('ordinary patterns are accepted, and still checked at run time', () => {
  for (const pattern of [...SAFE, ...SAFE_TOO]) assert.equal(regexpHazard(pattern), undefined, pattern);
  const plan = make(trackRule({ sku: { type: 'string', pattern: '^[A-Z]{3}-\\d+$' } }));
  assert.deepEqual(plan.check({ type: 'track', event: 'E', userId: 'u', properties: { sku: 'ABC-12' } }).violations, []);
  assert.equal(plan.check({ type: 'track', event: 'E', userId: 'u', properties: { sku: 'abc' } }).violations[0]?.type, 'Invalid-Value');
});

test('a schema nested deeper than the bound is refused', () => {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let depth = 0; depth < 40; depth += 1) schema = { type: 'object', properties: { inner: schema } };
  assert.throws(() => createPlanEnforcer({ trackingPlan: trackRule({ deep: schema }) as string }), (error: unknown) => error instanceof ConfigurationError && /nests deeper than 32 levels/.test(error.message));
});

test('a recursive schema against a pathologically nested message is a violation, never a crash', () => {
  const plan = make({
    rules: [{ key: 'Tree', type: 'TRACK', jsonSchema: { definitions: { node: { type: 'object', properties: { child: { $ref: '#/definitions/node' } } } }, properties: { properties: { $ref: '#/definitions/node' } } } }],
  });
  let nested: Record<string, unknown> = {};
  for (let depth = 0; depth < 100_000; depth += 1) nested = { child: nested };
  const result = plan.check({ type: 'track', event: 'Tree', userId: 'u', properties: nested });
  assert.equal(result.kind, 'send');
  assert.equal(result.violations[0]?.type, 'Invalid-Value');
  assert.match(result.violations[0]?.description ?? '', /nested too deeply to be validated/);
});

test('a message breaking hundreds of constraints reports a bounded list', () => {
  const properties = Object.fromEntries(Array.from({ length: 300 }, (_, index) => [`p${index}`, { type: 'number' }]));
  const plan = make(trackRule(properties, { required: Object.keys(properties) }));
  const result = plan.check({ type: 'track', event: 'E', userId: 'u', properties: Object.fromEntries(Object.keys(properties).map((key) => [key, 'x'])) });
  assert.equal(result.violations.length, MAX_VIOLATIONS_PER_MESSAGE);
});

test('a plan of booleans and empty schemas compiles: true accepts all, false refuses all', () => {
  const plan = make({ rules: [{ key: 'Any', type: 'TRACK', jsonSchema: true }, { key: 'None', type: 'TRACK', jsonSchema: false }, { type: 'IDENTIFY', jsonSchema: {} }] });
  assert.deepEqual(plan.check({ type: 'track', event: 'Any', userId: 'u', properties: { x: 1 } }).violations, []);
  assert.equal(plan.check({ type: 'track', event: 'None', userId: 'u' }).violations[0]?.type, 'Invalid-Value');
  assert.deepEqual(plan.check({ type: 'identify', userId: 'u', traits: { a: 1 } }).violations, []);
});

test('uniqueItems over arrays of objects needs a small maxItems (pairwise comparison); over scalars it is linear and allowed', () => {
  const list = (extra: Record<string, unknown>) => trackRule({ list: { type: 'array', uniqueItems: true, ...extra } });
  for (const plan of [list({}), list({ items: { type: 'object' } }), list({ maxItems: 5000 })]) {
    assert.throws(() => createPlanEnforcer({ trackingPlan: plan as string }), (error: unknown) => error instanceof ConfigurationError && /uniqueItems at #\/properties\/properties\/properties\/list over items that are not scalars/.test(error.message));
  }
  const scalar = make(list({ items: { type: ['string', 'null'] } }));
  assert.equal(scalar.check({ type: 'track', event: 'E', userId: 'u', properties: { list: ['a', 'a'] } }).violations[0]?.type, 'Invalid-Value');
  const small = make(list({ maxItems: 10 }));
  assert.deepEqual(small.check({ type: 'track', event: 'E', userId: 'u', properties: { list: [[1], [2]] } }).violations, []);
});
