/** A small plan in the rules-list shape, as Segment's Public API exports it. */
export const RULES_PLAN = {
  id: 'tp_test',
  version: 3,
  rules: [
    {
      type: 'COMMON',
      version: 1,
      jsonSchema: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { context: { type: 'object', properties: { locale: { type: 'string' } } } },
      },
    },
    {
      key: 'Order Completed',
      type: 'TRACK',
      version: 1,
      jsonSchema: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: {
          properties: {
            type: 'object',
            properties: {
              orderId: { type: 'string' },
              revenue: { type: 'number', minimum: 0 },
              currency: { enum: ['EUR', 'USD'] },
              coupon: { type: ['string', 'null'] },
              products: {
                type: 'array',
                items: { type: 'object', properties: { sku: { type: 'string', pattern: '^[A-Z]{3}-\\d+$' }, quantity: { type: 'integer' } }, required: ['sku'] },
              },
            },
            required: ['orderId', 'revenue'],
          },
        },
        required: ['properties'],
      },
    },
    {
      key: 'Order Completed',
      type: 'TRACK',
      version: 2,
      jsonSchema: {
        type: 'object',
        properties: {
          properties: {
            type: 'object',
            properties: { orderId: { type: 'string' }, total: { type: 'number' } },
            required: ['orderId', 'total'],
          },
        },
        required: ['properties'],
      },
    },
    {
      key: 'Signed Up',
      type: 'TRACK',
      version: 1,
      jsonSchema: {
        type: 'object',
        properties: {
          properties: { type: 'object', properties: { plan: { type: 'string' } }, required: ['plan'], additionalProperties: false },
        },
      },
    },
    {
      type: 'IDENTIFY',
      version: 1,
      jsonSchema: {
        type: 'object',
        properties: {
          traits: { type: 'object', properties: { email: { type: 'string', format: 'email' }, age: { type: 'integer' } }, required: ['email'] },
        },
      },
    },
    {
      key: 'Pricing',
      type: 'PAGE',
      jsonSchema: { type: 'object', properties: { properties: { type: 'object', properties: { url: { type: 'string', format: 'uri' } } } } },
    },
    {
      type: 'GROUP',
      jsonSchema: { type: 'object', properties: { traits: { type: 'object', properties: { name: { type: 'string' }, employees: { type: 'integer' } }, required: ['name'] } } },
    },
    {
      type: 'SCREEN',
      jsonSchema: { type: 'object', properties: { properties: { type: 'object', properties: { orientation: { enum: ['portrait', 'landscape'] } } } } },
    },
  ],
} as const;

/** The same plan's track and identify rules in the older Config API shape. */
export const LEGACY_PLAN = {
  name: 'workspaces/acme/tracking-plans/rs_legacy',
  display_name: 'Legacy',
  rules: {
    global: RULES_PLAN.rules[0].jsonSchema,
    events: [
      { name: 'Order Completed', version: 1, rules: RULES_PLAN.rules[1].jsonSchema },
      { name: 'Order Completed', version: 2, rules: RULES_PLAN.rules[2].jsonSchema },
      { name: 'Signed Up', version: 1, rules: RULES_PLAN.rules[3].jsonSchema },
    ],
    identify: RULES_PLAN.rules[4].jsonSchema,
    group: RULES_PLAN.rules[6].jsonSchema,
  },
} as const;

/** A v1 `Order Completed` that keeps its plan. */
export function validOrder(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'track',
    event: 'Order Completed',
    userId: 'u-1',
    messageId: 'm-1',
    context: { protocols: { event_version: 1 } },
    properties: { orderId: 'o-1', revenue: 12.5, currency: 'EUR', products: [{ sku: 'ABC-1', quantity: 2 }], ...extra },
  };
}
