import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlanEnforcementOptions } from '../../../src/config/shaping-options.js';
import { PlanViolationError } from '../../../src/errors/plan-violation-error.js';
import { ValidationError } from '../../../src/errors/metarouter-error.js';
// The Node entry provides Ajv, which compiles the plans (the edge entry has none).
import '../../../src/index.js';
import { createPlanEnforcer, type PlanEnforcer, type CheckedMessage as SegmentMessage, type ViolationType } from '../../../src/shaping/tracking-plan/index.js';
import { RULES_PLAN, validOrder } from './fixture-plan.js';

function enforcer(planEnforcement: PlanEnforcementOptions): PlanEnforcer {
  const made = createPlanEnforcer({ trackingPlan: RULES_PLAN, planEnforcement });
  assert.ok(made !== undefined);
  return made;
}

const UNPLANNED_EVENT: SegmentMessage = { type: 'track', event: 'Signed up', userId: 'u-1', messageId: 'm-2', properties: { plan: 'pro' } };
const UNPLANNED_PROPERTY = validOrder({ giftWrap: true });
const REQUIRED_MISSING: SegmentMessage = { ...validOrder(), properties: { orderId: 'o-1' } };
const DATATYPE_MISMATCH = validOrder({ revenue: '12.50' });
const ADDITIONAL_PROPERTY: SegmentMessage = { type: 'track', event: 'Signed Up', userId: 'u-1', messageId: 'm-3', properties: { plan: 'pro', referrer: 'ad' } };
const INVALID_VALUE = validOrder({ currency: 'GBP' });

type Expected = { kind: 'send' | 'drop' | 'reject'; reported: ViolationType[]; omitted?: string[] };

/**
 * The enforcement matrix: each violation type × each setting → what is sent, what is reported.
 * Unplanned properties are reported whatever the setting; `omit` also removes them.
 */
const MATRIX: ReadonlyArray<[string, SegmentMessage, PlanEnforcementOptions, Expected]> = [
  ['unplanned event, allow', UNPLANNED_EVENT, { unplannedEvents: 'allow' }, { kind: 'send', reported: [] }],
  ['unplanned event, report', UNPLANNED_EVENT, { unplannedEvents: 'report' }, { kind: 'send', reported: ['Unplanned-Event'] }],
  ['unplanned event, drop', UNPLANNED_EVENT, { unplannedEvents: 'drop' }, { kind: 'drop', reported: ['Unplanned-Event'] }],
  ['unplanned event, drop, even with violations: throw', UNPLANNED_EVENT, { unplannedEvents: 'drop', otherViolations: 'throw' }, { kind: 'drop', reported: ['Unplanned-Event'] }],
  ['unplanned property, keep', UNPLANNED_PROPERTY, { unplannedProperties: 'keep' }, { kind: 'send', reported: ['Unplanned-Property'] }],
  ['unplanned property, omit', UNPLANNED_PROPERTY, { unplannedProperties: 'omit' }, { kind: 'send', reported: ['Unplanned-Property'], omitted: ['properties.giftWrap'] }],
  ['unplanned property, keep, violations: throw (not thrown)', UNPLANNED_PROPERTY, { otherViolations: 'throw' }, { kind: 'send', reported: ['Unplanned-Property'] }],
  ['required missing, report', REQUIRED_MISSING, { otherViolations: 'report' }, { kind: 'send', reported: ['Required-Missing'] }],
  ['required missing, drop', REQUIRED_MISSING, { otherViolations: 'drop' }, { kind: 'drop', reported: ['Required-Missing'] }],
  ['required missing, throw', REQUIRED_MISSING, { otherViolations: 'throw' }, { kind: 'reject', reported: ['Required-Missing'] }],
  ['wrong type, report', DATATYPE_MISMATCH, { otherViolations: 'report' }, { kind: 'send', reported: ['Datatype-Mismatch'] }],
  ['wrong type, drop', DATATYPE_MISMATCH, { otherViolations: 'drop' }, { kind: 'drop', reported: ['Datatype-Mismatch'] }],
  ['wrong type, throw', DATATYPE_MISMATCH, { otherViolations: 'throw' }, { kind: 'reject', reported: ['Datatype-Mismatch'] }],
  ['name the schema forbids, report', ADDITIONAL_PROPERTY, { otherViolations: 'report' }, { kind: 'send', reported: ['Additional-Properties'] }],
  ['name the schema forbids, drop', ADDITIONAL_PROPERTY, { otherViolations: 'drop' }, { kind: 'drop', reported: ['Additional-Properties'] }],
  ['name the schema forbids, throw', ADDITIONAL_PROPERTY, { otherViolations: 'throw' }, { kind: 'reject', reported: ['Additional-Properties'] }],
  ['name the schema forbids, omit: removed before validation', ADDITIONAL_PROPERTY, { unplannedProperties: 'omit', otherViolations: 'throw' }, { kind: 'send', reported: ['Unplanned-Property'], omitted: ['properties.referrer'] }],
  ['enum broken, report', INVALID_VALUE, { otherViolations: 'report' }, { kind: 'send', reported: ['Invalid-Value'] }],
  ['enum broken, drop', INVALID_VALUE, { otherViolations: 'drop' }, { kind: 'drop', reported: ['Invalid-Value'] }],
  ['enum broken, throw', INVALID_VALUE, { otherViolations: 'throw' }, { kind: 'reject', reported: ['Invalid-Value'] }],
  ['a valid message, strictest settings', validOrder(), { unplannedEvents: 'drop', unplannedProperties: 'omit', otherViolations: 'throw' }, { kind: 'send', reported: [] }],
];

for (const [name, message, settings, expected] of MATRIX) {
  test(`enforcement matrix: ${name}`, () => {
    const plan = enforcer(settings);
    const before = structuredClone(message);
    const result = plan.check(message);
    assert.deepEqual(message, before, 'the input message is never changed');
    assert.equal(result.kind, expected.kind);
    assert.deepEqual(result.violations.map((violation) => violation.type), expected.reported);
    const counters = plan.counters;
    for (const type of expected.reported) assert.equal(counters.violations[type], 1, `counted as ${type}`);
    assert.equal(counters.checked, 1);
    if (result.kind === 'send') {
      assert.equal(counters.sent, 1);
      if (expected.reported.length === 0) {
        assert.equal(result.report, undefined);
        assert.equal(result.message, message, 'an untouched message is passed on as is');
      } else {
        assert.ok(result.report instanceof PlanViolationError);
        assert.equal(result.report.outcome, expected.omitted === undefined ? 'sent' : 'sent-with-omissions');
      }
      if (expected.omitted !== undefined) {
        const sentProperties = result.message.properties as Record<string, unknown>;
        for (const path of expected.omitted) assert.ok(!(path.split('.')[1]! in sentProperties), `${path} is not sent`);
        assert.deepEqual((result.message.context as { protocols: { omitted: string[] } }).protocols.omitted, expected.omitted);
        assert.equal(counters.omittedProperties, expected.omitted.length);
      }
    } else if (result.kind === 'drop') {
      assert.equal(counters.dropped, 1);
      assert.ok(result.report instanceof PlanViolationError);
      assert.equal(result.report.outcome, 'dropped');
    } else {
      assert.equal(counters.rejected, 1);
      assert.ok(result.error instanceof ValidationError);
      assert.equal(result.error.code, 'MR_ERR_PLAN_VIOLATION');
    }
  });
}

test('allowed unplanned events are counted, not reported', () => {
  const plan = enforcer({ unplannedEvents: 'allow' });
  plan.check(UNPLANNED_EVENT);
  assert.equal(plan.counters.allowedUnplannedEvents, 1);
  assert.equal(plan.counters.violations['Unplanned-Event'], 0);
});

test('the strongest action wins: a drop beats a report in one message', () => {
  const plan = enforcer({ unplannedProperties: 'keep', otherViolations: 'drop' });
  const result = plan.check(validOrder({ giftWrap: true, revenue: -1 }));
  assert.equal(result.kind, 'drop');
  assert.deepEqual(result.violations.map((violation) => violation.type).sort(), ['Invalid-Value', 'Unplanned-Property']);
});
