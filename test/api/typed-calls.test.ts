import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics, typedAnalytics, type TypedAnalytics } from '../../src/index.js';
import { arrivedOnce, startIngestServer } from '../helpers/ingest-server.js';
import { LEGACY_PLAN, RULES_PLAN } from '../shaping/tracking-plan/fixture-plan.js';

// These functions are type checks: `npm run build:test` fails when a call marked as expected to
// be an error compiles (a check that cannot fail), or when a valid call does not.
function rulesPlanCalls(analytics: TypedAnalytics<typeof RULES_PLAN>): void {
  analytics.track({ userId: 'u', event: 'Order Completed', properties: { orderId: 'o', revenue: 1, currency: 'EUR', coupon: null, products: [{ sku: 'ABC-1', quantity: 1 }] } });
  analytics.track({ userId: 'u', event: 'Order Completed', properties: { orderId: 'o', total: 2 } }); // version 2
  analytics.track({ anonymousId: 'a', event: 'Signed Up', properties: { plan: 'pro' } });
  // @ts-expect-error an unplanned event name
  analytics.track({ userId: 'u', event: 'Signed up', properties: { plan: 'pro' } });
  // @ts-expect-error a required property missing (orderId)
  analytics.track({ userId: 'u', event: 'Order Completed', properties: { revenue: 1 } });
  // @ts-expect-error a value of the wrong type (revenue as a string)
  analytics.track({ userId: 'u', event: 'Order Completed', properties: { orderId: 'o', revenue: '1' } });
  // @ts-expect-error a value outside the enum
  analytics.track({ userId: 'u', event: 'Order Completed', properties: { orderId: 'o', revenue: 1, currency: 'GBP' } });
  // @ts-expect-error a nested array item of the wrong type
  analytics.track({ userId: 'u', event: 'Order Completed', properties: { orderId: 'o', revenue: 1, products: [{ sku: 1 }] } });
  // @ts-expect-error an unplanned property (a typo)
  analytics.track({ userId: 'u', event: 'Signed Up', properties: { plan: 'pro', palns: 'x' } });
  // @ts-expect-error properties are required by the rule
  analytics.track({ userId: 'u', event: 'Order Completed' });
  // @ts-expect-error identity is still required
  analytics.track({ event: 'Signed Up', properties: { plan: 'pro' } });

  analytics.identify({ userId: 'u', traits: { email: 'a@b.co', age: 3 } });
  // @ts-expect-error a required trait missing
  analytics.identify({ userId: 'u', traits: { age: 3 } });
  // @ts-expect-error a trait of the wrong type
  analytics.identify({ userId: 'u', traits: { email: 'a@b.co', age: '3' } });

  analytics.page({ userId: 'u', name: 'Pricing', properties: { url: 'https://x.test' } });
  analytics.page({ userId: 'u', name: 'Home', properties: { anything: 1 } });
  // @ts-expect-error a page property of the wrong type
  analytics.page({ userId: 'u', name: 'Pricing', properties: { url: 1 } });

  analytics.group({ userId: 'u', groupId: 'g', traits: { name: 'Acme', employees: 12 } });
  // @ts-expect-error a required group trait missing
  analytics.group({ userId: 'u', groupId: 'g', traits: { employees: 12 } });
  analytics.screen({ userId: 'u', name: 'Home', properties: { orientation: 'portrait' } });
  // @ts-expect-error a screen property outside its enum
  analytics.screen({ userId: 'u', name: 'Home', properties: { orientation: 'upside-down' } });
  analytics.alias({ userId: 'u', previousId: 'p' });
  // @ts-expect-error alias is not typed by the plan, but still needs previousId
  analytics.alias({ userId: 'u' });
}

function legacyPlanCalls(analytics: TypedAnalytics<typeof LEGACY_PLAN>): void {
  analytics.track({ userId: 'u', event: 'Signed Up', properties: { plan: 'pro' } });
  // @ts-expect-error an unplanned event name, from the older shape
  analytics.track({ userId: 'u', event: 'Order Placed', properties: {} });
  // @ts-expect-error a required trait missing, from the older shape
  analytics.identify({ userId: 'u', traits: {} });
}

/** A plan with dates: a `date-time` string (a Date is sent as its ISO text) and a `date` one (a Date's text is not a date). */
const DATED_PLAN = {
  rules: [
    {
      type: 'TRACK',
      key: 'Trial Started',
      jsonSchema: {
        type: 'object',
        properties: {
          properties: {
            type: 'object',
            properties: { startedAt: { type: 'string', format: 'date-time' }, endsOn: { type: 'string', format: 'date' }, seenAt: { type: ['string', 'null'], format: 'date-time' } },
            required: ['startedAt'],
          },
        },
        required: ['properties'],
      },
    },
  ],
} as const;

function datedPlanCalls(analytics: TypedAnalytics<typeof DATED_PLAN>): void {
  analytics.track({ userId: 'u', event: 'Trial Started', properties: { startedAt: new Date(), seenAt: new Date() } });
  analytics.track({ userId: 'u', event: 'Trial Started', properties: { startedAt: '2026-01-02T03:04:05.000Z', endsOn: '2026-02-01', seenAt: null } });
  // @ts-expect-error a Date for a 'date' field: its ISO text is a date-time, which the plan rejects
  analytics.track({ userId: 'u', event: 'Trial Started', properties: { startedAt: new Date(), endsOn: new Date() } });
  // @ts-expect-error a number is still not a date-time
  analytics.track({ userId: 'u', event: 'Trial Started', properties: { startedAt: 1767322245000 } });
}

test('a typed call takes a Date for a date-time property, and the plan accepts what is sent: its ISO text', async () => {
  const server = await startIngestServer();
  try {
    const analytics = new Analytics({ writeKey: 'k', host: server.url, trackingPlan: DATED_PLAN, planEnforcement: { otherViolations: 'throw' } });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    const calls = typedAnalytics(analytics, DATED_PLAN);
    const messageId = calls.track({ userId: 'u', event: 'Trial Started', properties: { startedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) } });
    await analytics.closeAndFlush();
    assert.deepEqual(errors, []);
    assert.deepEqual(arrivedOnce(server, messageId).properties, { startedAt: '2026-01-02T03:04:05.000Z' });
  } finally {
    await server.close();
  }
  void datedPlanCalls;
});

test('an Analytics instance is a TypedAnalytics for any plan: typing adds nothing at run time', async () => {
  const analytics = new Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9', disable: true });
  const typed: TypedAnalytics<typeof RULES_PLAN> = analytics;
  assert.equal(typedAnalytics(analytics, RULES_PLAN), analytics);
  assert.equal(typedAnalytics<typeof LEGACY_PLAN>(analytics), analytics);
  const messageId = typed.track({ userId: 'u', event: 'Signed Up', properties: { plan: 'pro' }, messageId: 'typed-1' });
  assert.equal(messageId, 'typed-1');
  await analytics.closeAndFlush();
  // Type checks only: their calls include invalid ones, which would throw at run time.
  void [rulesPlanCalls, legacyPlanCalls];
});
