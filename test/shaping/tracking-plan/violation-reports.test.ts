import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES, MetaRouterError, ValidationError } from '../../../src/index.js';
import { PlanViolationError } from '../../../src/errors/plan-violation-error.js';
import { createPlanEnforcer, violationGeneratedMessages, type PlanEnforcer } from '../../../src/shaping/tracking-plan/index.js';
import { RULES_PLAN, validOrder } from './fixture-plan.js';

function make(planEnforcement = {}): PlanEnforcer {
  const made = createPlanEnforcer({ trackingPlan: RULES_PLAN, planEnforcement });
  assert.ok(made !== undefined);
  return made;
}

test('a report is a PlanViolationError with a stable code and every fact of the violation', () => {
  const result = make().check(validOrder({ revenue: 'ten', giftWrap: true }));
  assert.equal(result.kind, 'send');
  const { report } = result;
  assert.ok(report instanceof PlanViolationError);
  assert.ok(report instanceof MetaRouterError);
  assert.equal(report.code, 'MR_ERR_PLAN_VIOLATION');
  assert.ok('MR_ERR_PLAN_VIOLATION' in ERROR_CODES);
  assert.deepEqual(
    report.violations.map(({ type, field, rule }) => ({ type, field, rule })),
    [
      { type: 'Unplanned-Property', field: 'properties.giftWrap', rule: 'TRACK "Order Completed" v1 (rules[1])' },
      { type: 'Datatype-Mismatch', field: 'properties.revenue', rule: 'TRACK "Order Completed" v1 (rules[1])' },
    ],
  );
  assert.equal(report.eventType, 'track');
  assert.equal(report.eventName, 'Order Completed');
  assert.deepEqual(report.messageIds, ['m-1']);
  assert.equal(report.outcome, 'sent');
  assert.match(report.message, /^track "Order Completed" \(messageId m-1\) breaks tp_test v3, sent: \[Unplanned-Property\] properties\.giftWrap is not in the tracking plan/);
});

test('throw mode: a ValidationError naming the rule, the field path and what was expected', () => {
  const result = make({ otherViolations: 'throw' }).check(validOrder({ revenue: 'ten' }));
  assert.equal(result.kind, 'reject');
  const { error } = result;
  assert.ok(error instanceof ValidationError);
  assert.equal(error.code, 'MR_ERR_PLAN_VIOLATION');
  assert.equal(error.field, 'properties.revenue');
  assert.equal(error.message, 'track "Order Completed" breaks the tracking plan: [Datatype-Mismatch] properties.revenue must be number, got string (rule TRACK "Order Completed" v1 (rules[1]))');
  assert.ok(result.report instanceof PlanViolationError, 'where no caller can take the error, the report says the message was dropped');
  assert.equal(result.report.outcome, 'dropped');
});

test('omitting unplanned properties copies the message, and records the omitted paths when asked', () => {
  const message = validOrder({ giftWrap: true, note: 'x' });
  (message.context as Record<string, unknown>).protocols = { event_version: 1, omitted: ['traits.old'] };
  const frozen = structuredClone(message);
  const recorded = make({ unplannedProperties: 'omit' }).check(message);
  assert.deepEqual(message, frozen);
  assert.equal(recorded.kind, 'send');
  assert.deepEqual(Object.keys(recorded.message.properties as object), ['orderId', 'revenue', 'currency', 'products']);
  assert.deepEqual(recorded.message.context, { protocols: { event_version: 1, omitted: ['traits.old', 'properties.giftWrap', 'properties.note'] } });
  assert.equal(recorded.report?.outcome, 'sent-with-omissions');

  const unrecorded = make({ unplannedProperties: 'omit', recordOmittedProperties: false }).check(message);
  assert.equal(unrecorded.kind, 'send');
  assert.equal(unrecorded.message.context, message.context);
  assert.deepEqual(Object.keys(unrecorded.message.properties as object), ['orderId', 'revenue', 'currency', 'products']);
});

test('unplanned traits of an identify are found like properties', () => {
  const result = make({ unplannedProperties: 'omit' }).check({ type: 'identify', userId: 'u', traits: { email: 'a@b.co', shoeSize: 44 } });
  assert.equal(result.kind, 'send');
  assert.deepEqual(result.message.traits, { email: 'a@b.co' });
  assert.deepEqual(result.violations.map((violation) => violation.field), ['traits.shoeSize']);
});

test('Violation Generated: one track message per violation, in the Protocols forwarding shape', () => {
  const original = validOrder({ revenue: 'ten', giftWrap: true });
  const result = make().check(original);
  assert.ok(result.kind === 'send' && result.report !== undefined);
  const messages = violationGeneratedMessages(result.report, original);
  assert.equal(messages.length, 2);
  assert.deepEqual(messages[1], {
    type: 'track',
    event: 'Violation Generated',
    userId: 'u-1',
    properties: {
      violationType: 'Datatype-Mismatch',
      violationField: 'properties.revenue',
      violationDescription: 'properties.revenue must be number, got string (rule TRACK "Order Completed" v1 (rules[1]))',
      eventName: 'Order Completed',
      eventType: 'track',
      messageId: 'm-1',
      trackingPlanId: 'tp_test',
      trackingPlanVersion: 3,
      outcome: 'sent',
    },
  });
  const anonymous = violationGeneratedMessages(result.report, { type: 'track', event: 'Order Completed' });
  assert.equal(anonymous[0]?.anonymousId, 'tracking-plan');
});

test('check never throws, whatever the message', () => {
  const plan = make({ otherViolations: 'throw', unplannedProperties: 'omit' });
  const odd: unknown[] = [{}, { type: 42 }, { type: 'track' }, { type: 'track', event: 'Order Completed', properties: 'text' }, { type: 'identify', traits: [1, 2] }, { type: 'track', event: 'Order Completed', properties: Object.create(null) }];
  for (const message of odd) assert.doesNotThrow(() => plan.check(message as Record<string, unknown>));
});

test('field paths stay one unambiguous line whatever the names hold', () => {
  const result = make({ unplannedProperties: 'omit' }).check(validOrder({ 'gift wrap': true, 'a\nb': 1, 'x.y': 2, products: [{ sku: 'ABC-1' }, { 'sku"': 1 }] }));
  assert.deepEqual(
    result.violations.map((violation) => violation.field),
    ['properties["gift wrap"]', 'properties["a\\nb"]', 'properties["x.y"]', 'properties.products[1].sku'],
  );
  for (const violation of result.violations) assert.doesNotMatch(violation.description, /\n/);
});
