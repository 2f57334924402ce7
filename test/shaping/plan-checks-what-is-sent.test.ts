import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analytics, PlanViolationError, type MetaRouterError, type SegmentRulesPlan } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';

const PLAN: SegmentRulesPlan = {
  id: 'tp_sent',
  version: 1,
  rules: [
    {
      key: 'Order Completed',
      type: 'TRACK',
      version: 1,
      jsonSchema: {
        type: 'object',
        properties: {
          properties: {
            type: 'object',
            properties: { revenue: { type: 'number' }, at: { type: 'string', format: 'date-time' }, coupon: { type: 'string' }, items: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] } } },
            required: ['revenue'],
          },
        },
      },
    },
  ],
};

/**
 * Each call's properties, as an app may build them; the plan's verdict must be about the values
 * that reach the endpoint (the copy the message is serialized from), never a second read.
 */
function calls(): Array<{ messageId: string; properties: Record<string, unknown> }> {
  let reads = 0;
  return [
    // A getter that answers a valid value, then an invalid one: checked and sent as first read.
    { messageId: 'getter-valid-first', properties: { get revenue() { reads += 1; return reads === 1 ? 10 : 'ten'; } } },
    // A Date is sent as its ISO text, which is what the plan's date-time format checks.
    { messageId: 'date', properties: { revenue: 1, at: new Date('2026-01-02T03:04:05.000Z') } },
    // Keys whose value JSON leaves out are neither sent nor unplanned.
    { messageId: 'undefined-and-function', properties: { revenue: 2, coupon: undefined, helper: () => 1 } },
    // NaN is sent as null: a Datatype-Mismatch about null.
    { messageId: 'nan', properties: { revenue: Number.NaN } },
    // A class instance is not copied: the message is checked as a parse of its text.
    { messageId: 'class-instance', properties: { revenue: 3, items: [new (class Item { sku = 'a'; })()] } },
  ];
}

test('under a tracking plan, the facade checks exactly the values it sends (getters read once, Dates, undefined, NaN, class instances)', async () => {
  const server = await startIngestServer();
  try {
    const analytics = new Analytics({ writeKey: 'k', host: server.url, flushInterval: 5, trackingPlan: PLAN, planEnforcement: { unplannedProperties: 'keep' } });
    const errors: MetaRouterError[] = [];
    analytics.on('error', (error) => errors.push(error));
    for (const { messageId, properties } of calls()) analytics.track({ userId: 'u', event: 'Order Completed', messageId, properties });
    await analytics.closeAndFlush();

    const sent = new Map(server.accepted.map((message) => [message.messageId as string, message.properties as Record<string, unknown>]));
    assert.deepStrictEqual([...sent.keys()].sort(), ['class-instance', 'date', 'getter-valid-first', 'nan', 'undefined-and-function']);
    assert.deepStrictEqual(sent.get('getter-valid-first'), { revenue: 10 });
    assert.deepStrictEqual(sent.get('date'), { revenue: 1, at: '2026-01-02T03:04:05.000Z' });
    assert.deepStrictEqual(sent.get('undefined-and-function'), { revenue: 2 });
    assert.deepStrictEqual(sent.get('nan'), { revenue: null });
    assert.deepStrictEqual(sent.get('class-instance'), { revenue: 3, items: [{ sku: 'a' }] });

    const violations = errors.filter((error): error is PlanViolationError => error instanceof PlanViolationError);
    assert.deepStrictEqual(
      violations.map((error) => [error.messageIds[0], error.violations.map((violation) => `${violation.type} ${violation.field}`)]),
      [['nan', ['Datatype-Mismatch properties.revenue']]],
    );
  } finally {
    await server.close();
  }
});
