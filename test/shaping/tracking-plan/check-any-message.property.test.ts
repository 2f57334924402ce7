import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
// The Node entry provides Ajv, which compiles the plans (the edge entry has none).
import '../../../src/index.js';
import { createPlanEnforcer, type CheckedMessage, type PlanEnforcer } from '../../../src/shaping/tracking-plan/index.js';
import { RULES_PLAN } from './fixture-plan.js';

/** A fixed seed: a failure names it and replays the same way. */
const SEED = 20_261_130;

const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'orderId', 'revenue', 'products', 'email', 'protocols', 'event_version', 'omitted'));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.string({ maxLength: 16 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  ),
}));
const message = fc.record(
  {
    type: fc.oneof(fc.constantFrom('track', 'identify', 'group', 'page', 'screen', 'alias'), value),
    event: fc.oneof(fc.constantFrom('Order Completed', 'Signed Up', 'Unplanned'), value),
    name: fc.oneof(fc.constant('Pricing'), value),
    userId: value,
    messageId: value,
    properties: value,
    traits: value,
    context: fc.oneof(fc.record({ protocols: fc.record({ event_version: fc.oneof(fc.constantFrom(1, 2, 7), value), omitted: value }, { requiredKeys: [] }) }, { requiredKeys: [] }), value),
  },
  { requiredKeys: [] },
);

/** A deep copy that keeps own `__proto__` keys as keys (structuredClone would make them prototypes). */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (typeof value !== 'object' || value === null) return value;
  const out = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  for (const [name, inner] of Object.entries(value)) Object.defineProperty(out, name, { value: copy(inner), enumerable: true, writable: true, configurable: true });
  return out;
}

const ENFORCERS: PlanEnforcer[] = (['keep', 'omit'] as const).flatMap((unplannedProperties) =>
  (['report', 'drop', 'throw'] as const).map((otherViolations) => createPlanEnforcer({ trackingPlan: RULES_PLAN, planEnforcement: { unplannedProperties, otherViolations, unplannedEvents: 'drop' } })!),
);

test('check() of any message, under every setting, never throws, never changes the message, and its answer is consistent', () => {
  fc.assert(
    fc.property(message, (input) => {
      const before = copy(input);
      for (const enforcer of ENFORCERS) {
        // Any JSON at all, `type` included: what no entry point lets through, the engine still survives.
        const result = enforcer.check(input as CheckedMessage);
        assert.deepEqual(input, before, 'the message is not changed');
        if (result.kind === 'send') {
          assert.equal(result.report === undefined, result.violations.length === 0, 'a report exactly when there are violations');
        } else {
          assert.ok(result.violations.length > 0, 'nothing is dropped or rejected without a violation');
          assert.equal(result.report.outcome, 'dropped');
          assert.deepEqual(result.report.violations, result.violations);
        }
        for (const violation of result.violations) {
          assert.ok(violation.field === '(message)' || violation.description.startsWith(`${violation.field} `), `the description starts with the field: ${violation.description}`);
        }
      }
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('check() of a message that is not an object (null, an array, a string, a number) never throws: it is an Invalid-Value violation', () => {
  for (const notObject of [null, undefined, [], ['track'], 'track', 7, true]) {
    for (const enforcer of ENFORCERS) {
      const result = enforcer.check(notObject as unknown as CheckedMessage);
      assert.equal(result.violations.length, 1);
      assert.equal(result.violations[0]?.type, 'Invalid-Value');
      assert.equal(result.violations[0]?.field, '(message)');
      assert.match(result.violations[0]?.description ?? '', /^the message is (null|undefined|an array|string|number|boolean), not an object$/);
    }
  }
});

test('check() of a JavaScript object that cannot be read (throwing getters, throwing or revoked Proxies) does not throw: an Invalid-Value violation on (message)', () => {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const unreadable: ReadonlyArray<readonly [string, unknown]> = [
    ['a type getter that throws', { get type(): string { throw new Error('no type'); } }],
    ['a Proxy whose traps throw a null-prototype object', new Proxy({}, { get: () => { throw Object.create(null); }, getPrototypeOf: () => { throw Object.create(null); } })],
    ['a revoked Proxy', revoked.proxy],
    ['properties whose keys cannot be listed', { type: 'track', event: 'Order Completed', properties: new Proxy({}, { ownKeys: () => { throw 1; } }) }],
  ];
  for (const enforcer of ENFORCERS) {
    for (const [what, input] of unreadable) {
      let result: ReturnType<PlanEnforcer['check']> | undefined;
      assert.doesNotThrow(() => (result = enforcer.check(input as CheckedMessage)), what);
      assert.deepEqual(result!.violations.map((violation) => [violation.type, violation.field]), [['Invalid-Value', '(message)']], what);
    }
  }
});
