import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigurationError } from '../../../src/errors/metarouter-error.js';
// The Node entry provides Ajv, which compiles the plans (the edge entry has none).
import '../../../src/index.js';
import { createPlanEnforcer, type PlanEnforcer, type CheckedMessage as SegmentMessage } from '../../../src/shaping/tracking-plan/index.js';
import { LEGACY_PLAN, RULES_PLAN, validOrder } from './fixture-plan.js';

const dir = mkdtempSync(join(tmpdir(), 'mr-plan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function make(trackingPlan: unknown): PlanEnforcer {
  const made = createPlanEnforcer({ trackingPlan: trackingPlan as string });
  assert.ok(made !== undefined);
  return made;
}

function refused(trackingPlan: unknown, ...fragments: RegExp[]): void {
  assert.throws(
    () => createPlanEnforcer({ trackingPlan: trackingPlan as string }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigurationError, `a ConfigurationError, got ${String(error)}`);
      assert.equal(error.code, 'MR_ERR_INVALID_OPTION');
      assert.equal(error.option, 'trackingPlan');
      for (const fragment of fragments) assert.match(error.message, fragment);
      return true;
    },
  );
}

const CASES: ReadonlyArray<[string, SegmentMessage, string[]]> = [
  ['a valid order', validOrder(), []],
  ['a wrong type', validOrder({ revenue: 'ten' }), ['Datatype-Mismatch properties.revenue']],
  ['a missing required property of version 2', { ...validOrder(), context: {}, properties: { orderId: 'o' } }, ['Required-Missing properties.total']],
  ['a nested array item', validOrder({ products: [{ quantity: 1 }, { sku: 'bad', quantity: 1.5 }] }), [
    'Required-Missing properties.products[0].sku',
    'Invalid-Value properties.products[1].sku',
    'Datatype-Mismatch properties.products[1].quantity',
  ]],
  ['an invalid email trait', { type: 'identify', userId: 'u', traits: { email: 'not-an-email' } }, ['Invalid-Value traits.email']],
  ['a group without its required name', { type: 'group', userId: 'u', groupId: 'g', traits: { employees: 3 } }, ['Required-Missing traits.name']],
  ['a common-rule context', { type: 'alias', userId: 'u', previousId: 'p', context: { locale: 5 } }, ['Datatype-Mismatch context.locale']],
];

for (const [label, source] of [
  ['rules-list object', RULES_PLAN],
  ['legacy object', LEGACY_PLAN],
  ['rules-list file wrapped as the Public API returns it', file('api.json', JSON.stringify({ data: { trackingPlan: RULES_PLAN } }))],
  ['legacy file', file('legacy.json', JSON.stringify(LEGACY_PLAN))],
] as const) {
  test(`a plan read from a ${label} finds the same violations`, () => {
    const plan = make(source);
    for (const [name, message, expected] of CASES) {
      const result = plan.check(message);
      assert.deepEqual(result.violations.map((violation) => `${violation.type} ${violation.field}`), expected, name);
    }
  });
}

test('the plan id and version travel with each report; a legacy plan is named by its Config API name', () => {
  const report = make(RULES_PLAN).check(validOrder({ revenue: 'ten' }));
  assert.equal(report.kind, 'send');
  assert.equal(report.report?.planId, 'tp_test');
  assert.equal(report.report?.planVersion, 3);
  assert.equal(report.report?.eventName, 'Order Completed');
  assert.deepEqual(report.report?.messageIds, ['m-1']);
  assert.match(report.report?.message ?? '', /properties\.revenue must be number, got string \(rule TRACK "Order Completed" v1 \(rules\[1\]\)\)/);
  const legacy = make(LEGACY_PLAN).check(validOrder({ revenue: 'ten' }));
  assert.equal(legacy.kind === 'send' ? legacy.report?.planId : undefined, 'workspaces/acme/tracking-plans/rs_legacy');
});

test('no plan: no enforcer at all', () => {
  assert.equal(createPlanEnforcer({}), undefined);
});

test('a plan that cannot be read is a ConfigurationError naming the problem', () => {
  refused(join(dir, 'missing.json'), /could not be read \(ENOENT\)/);
  refused(file('broken.json', '{"rules": ['), /is not JSON/);
  refused(file('array.json', '[]'), /expected a Segment tracking plan object/);
  refused(42, /actual number/);
  refused({ name: 'x' }, /"rules" list .* or object .*, found none/);
  refused({ rules: [{ key: 'A', type: 'EVENT', jsonSchema: {} }] }, /rules\[0\]\.type must be one of TRACK, IDENTIFY, GROUP, PAGE, SCREEN, COMMON, got "EVENT"/);
  refused({ rules: [{ type: 'TRACK', jsonSchema: {} }] }, /rule TRACK \(rules\[0\]\) has no key/);
  refused({ rules: [{ key: 'A', type: 'TRACK', version: 1.5, jsonSchema: {} }] }, /rules\[0\]\.version must be a non-negative integer/);
  refused({ rules: [{ key: 'A', type: 'TRACK' }] }, /rule TRACK "A" \(rules\[0\]\) has no jsonSchema/);
  refused({ rules: { events: [{ name: 'A' }] } }, /rule TRACK "A" \(rules\.events\[0\]\) has no rules object/);
  refused({ rules: { events: {} } }, /rules\.events must be an array/);
});

test('a plan object that throws while read, or refers to itself, is a ConfigurationError', () => {
  const throwing = { rules: [{ key: 'A', type: 'TRACK', get jsonSchema(): never { throw new Error('getter broke'); } }] };
  refused(throwing, /could not be read \(getter broke\)/);
  const schema: Record<string, unknown> = { type: 'object' };
  schema.properties = { self: schema };
  refused({ rules: [{ key: 'Loop', type: 'TRACK', jsonSchema: schema }] }, /rule TRACK "Loop" \(rules\[0\]\) nests deeper than 32 levels/);
});

test('an invalid JSON Schema is refused at construction, naming the rule and what is wrong', () => {
  refused(
    { rules: [{ key: 'Order Completed', type: 'TRACK', version: 2, jsonSchema: { type: 'object', properties: { properties: { type: 'strnig' } } } }] },
    /rule TRACK "Order Completed" v2 \(rules\[0\]\) is not a valid JSON Schema \(draft-07\)/,
    /type/,
  );
  refused({ rules: [{ key: 'A', type: 'TRACK', jsonSchema: { required: 'name' } }] }, /rule TRACK "A" \(rules\[0\]\) is not a valid JSON Schema/);
  refused({ rules: [{ key: 'A', type: 'TRACK', jsonSchema: { $ref: '#/definitions/missing' } }] }, /rule TRACK "A" \(rules\[0\]\) is not a valid JSON Schema.*missing/);
  refused({ rules: [{ key: 'A', type: 'TRACK', jsonSchema: { $schema: 'http://json-schema.org/draft-04/schema#' } }] }, /rule TRACK "A"/);
});

test('a $ref outside the rule is refused: nothing is fetched at run time', () => {
  for (const ref of ['https://example.com/schemas/order.json', 'order.json#/definitions/x', 'file:///etc/passwd']) {
    refused({ rules: [{ key: 'A', type: 'TRACK', jsonSchema: { properties: { properties: { $ref: ref } } } }] }, /rule TRACK "A" \(rules\[0\]\) has a \$ref to/, /only references inside the rule/);
  }
});

test('a rule defined twice, or two COMMON rules, are refused', () => {
  refused({ rules: [{ key: 'A', type: 'TRACK', version: 1, jsonSchema: {} }, { key: 'A', type: 'TRACK', version: 1, jsonSchema: {} }] }, /rule TRACK "A" v1 \(rules\[1\]\) is defined twice/);
  refused({ rules: [{ type: 'COMMON', jsonSchema: {} }, { type: 'COMMON', jsonSchema: {} }] }, /is a second COMMON rule/);
});

test('plan enforcement settings are checked at construction', () => {
  assert.throws(
    () => createPlanEnforcer({ trackingPlan: RULES_PLAN, planEnforcement: { otherViolations: 'explode' as 'throw' } }),
    (error: unknown) => error instanceof ConfigurationError && error.option === 'planEnforcement.otherViolations' && /expected "report" or "drop" or "throw", actual "explode"/.test(error.message),
  );
  assert.throws(
    () => createPlanEnforcer({ trackingPlan: RULES_PLAN, planEnforcement: { recordOmittedProperties: 'yes' as unknown as boolean } }),
    (error: unknown) => error instanceof ConfigurationError && error.option === 'planEnforcement.recordOmittedProperties',
  );
});

test('a message pins the version of its event with context.protocols.event_version; without it the highest applies', () => {
  const plan = make(RULES_PLAN);
  const v1 = { type: 'track' as const, event: 'Order Completed', userId: 'u', properties: { orderId: 'o', revenue: 1 } };
  assert.deepEqual(plan.check({ ...v1, context: { protocols: { event_version: 1 } } }).violations, []);
  // Version 2 has `total` instead of `revenue`.
  assert.deepEqual(plan.check(v1).violations.map((violation) => `${violation.type} ${violation.field}`), ['Unplanned-Property properties.revenue', 'Required-Missing properties.total']);
});

test('page rules match by name, pages of other names are not unplanned; a screen rule without a key covers every screen', () => {
  const plan = make(RULES_PLAN);
  assert.deepEqual(plan.check({ type: 'page', name: 'Pricing', userId: 'u', properties: { url: 'not a uri' } }).violations.map((violation) => violation.type), ['Invalid-Value']);
  assert.deepEqual(plan.check({ type: 'page', name: 'Home', userId: 'u', properties: { url: 'not a uri' } }).violations, []);
  assert.deepEqual(plan.check({ type: 'screen', name: 'Home', userId: 'u', properties: { orientation: 'flat' } }).violations.map((violation) => violation.type), ['Invalid-Value']);
});
