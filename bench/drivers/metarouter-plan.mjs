// metarouter-otel as the `metarouter` driver runs it, under a tracking plan every generated call
// keeps (20 events: the generator's 8, each with its 10 properties typed, a nested array of
// product objects and a required set, and 12 the generator never sends): the difference between
// the two rows is the cost of enforcing a plan on valid traffic.
import metarouter from './metarouter.mjs';

const EVENTS = ['Order Completed', 'Product Viewed', 'Product Added', 'Checkout Started', 'Signed Up', 'Coupon Applied', 'Cart Viewed', 'Payment Info Entered'];

const product = {
  type: 'object',
  properties: {
    productId: { type: 'string' },
    sku: { type: 'string' },
    name: { type: 'string' },
    category: { type: 'string' },
    price: { type: 'number', minimum: 0 },
    quantity: { type: 'integer', minimum: 1 },
    url: { type: 'string' },
  },
  required: ['sku', 'price'],
};

const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    properties: {
      type: 'object',
      properties: {
        seq: { type: 'integer' },
        orderId: { type: 'string' },
        category: { type: 'string' },
        revenue: { type: 'number', minimum: 0 },
        currency: { enum: ['USD', 'EUR', 'GBP', 'JPY'] },
        plan: { enum: ['free', 'starter', 'pro', 'enterprise'] },
        itemCount: { type: 'integer' },
        url: { type: 'string' },
        firstPurchase: { type: 'boolean' },
        products: { type: 'array', items: product },
        note: { type: 'string' },
      },
      required: ['seq', 'orderId', 'category'],
    },
  },
  required: ['properties'],
};

const UNSENT = Array.from({ length: 12 }, (_, index) => `Planned Event ${index + 1}`);

const trackingPlan = { id: 'tp_bench', version: 1, rules: [...EVENTS, ...UNSENT].map((key) => ({ key, type: 'TRACK', version: 1, jsonSchema: schema })) };

export default {
  name: 'metarouter-plan',
  create: (options) => metarouter.create({ ...options, extraOptions: { trackingPlan } }),
};
