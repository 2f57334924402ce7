// Cost of a tracking plan on the call path: PlanEnforcer.check() of a track message against a
// realistic plan (20 events, 10 properties each, among them a nested object and an array of
// objects), beside the library's own track() call without a plan, in the same process and run.
// The budget (issue 10) is <= 1 µs added per call. Figures are medians of rounds, as ratios and
// ns/op on this machine; nothing here asserts a speed.
//
//   npm run build && node bench/tracking-plan.mjs [--rounds 15] [--calls 200000]
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const lib = require('../dist/index.js');
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, calls: { type: 'string', default: '200000' } } });
const ROUNDS = Number(values.rounds);
const CALLS = Number(values.calls);

const EVENTS = Array.from({ length: 20 }, (_, index) => `Event ${String.fromCharCode(65 + index)} Happened`);

function eventSchema() {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: {
      properties: {
        type: 'object',
        properties: {
          orderId: { type: 'string' },
          revenue: { type: 'number', minimum: 0 },
          currency: { enum: ['EUR', 'USD', 'GBP'] },
          quantity: { type: 'integer' },
          coupon: { type: ['string', 'null'] },
          gift: { type: 'boolean' },
          category: { type: 'string', pattern: '^[a-z-]+$' },
          note: { type: 'string', maxLength: 200 },
          address: { type: 'object', properties: { city: { type: 'string' }, zip: { type: 'string' }, country: { type: 'string' } }, required: ['city'] },
          products: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, price: { type: 'number' }, qty: { type: 'integer' } }, required: ['sku', 'price'] } },
        },
        required: ['orderId', 'revenue', 'currency'],
      },
    },
    required: ['properties'],
  };
}

const PLAN = {
  id: 'tp_bench',
  version: 1,
  rules: [
    { type: 'COMMON', version: 1, jsonSchema: { type: 'object', properties: { context: { type: 'object' } } } },
    { type: 'IDENTIFY', version: 1, jsonSchema: { type: 'object', properties: { traits: { type: 'object', properties: { email: { type: 'string' } } } } } },
    ...EVENTS.map((key) => ({ key, type: 'TRACK', version: 1, jsonSchema: eventSchema() })),
  ],
};

function message(index, broken) {
  return {
    type: 'track',
    event: EVENTS[index % EVENTS.length],
    userId: `user-${index % 977}`,
    messageId: `m-${index}`,
    properties: {
      orderId: `o-${index}`,
      revenue: broken ? 'ten' : (index % 100) + 0.99,
      currency: 'EUR',
      quantity: index % 7,
      coupon: index % 3 === 0 ? null : 'SPRING',
      gift: index % 2 === 0,
      category: 'home-garden',
      note: 'leave at the door',
      address: { city: 'Paris', zip: '75001', country: 'FR' },
      products: [{ sku: `sku-${index % 50}`, price: 9.99, qty: 1 }, { sku: 'sku-x', price: 1.5, qty: 2 }],
    },
  };
}

const valid = Array.from({ length: 1024 }, (_, index) => message(index, false));
const invalid = Array.from({ length: 1024 }, (_, index) => message(index, true));
const unplanned = valid.map((item) => ({ ...item, properties: { ...item.properties, extra: 1 } }));

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Median CPU ns per call of `fn(i)` over ROUNDS rounds of `calls` calls: the process's CPU time
 * (all its threads, GC included), which other processes on a shared machine inflate far less than
 * wall time.
 */
function measure(fn, calls = CALLS) {
  for (let index = 0; index < Math.min(calls, 20_000); index += 1) fn(index);
  const rounds = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = process.cpuUsage();
    for (let index = 0; index < calls; index += 1) fn(index);
    const used = process.cpuUsage(start);
    rounds.push(((used.user + used.system) * 1000) / calls);
  }
  return median(rounds);
}

const report = lib.createPlanEnforcer({ trackingPlan: PLAN });
const omit = lib.createPlanEnforcer({ trackingPlan: PLAN, planEnforcement: { unplannedProperties: 'omit' } });
let sink = 0;
const rows = [];
rows.push(['check(): valid message', measure((index) => { sink += report.check(valid[index & 1023]).violations.length; })]);
rows.push(['check(): unplanned property, keep (reported)', measure((index) => { sink += report.check(unplanned[index & 1023]).violations.length; }, CALLS / 4)]);
rows.push(['check(): unplanned property, omit (copied)', measure((index) => { sink += omit.check(unplanned[index & 1023]).violations.length; }, CALLS / 4)]);
rows.push(['check(): wrong type (reported)', measure((index) => { sink += report.check(invalid[index & 1023]).violations.length; }, CALLS / 4)]);

// The library's call without a plan and with it, sending nothing (disable: validate, shape and
// build only), measured in alternating rounds so that both see the same machine.
const noPlan = new lib.Analytics({ writeKey: 'bench', host: 'http://127.0.0.1:9', disable: true });
const withPlan = new lib.Analytics({ writeKey: 'bench', host: 'http://127.0.0.1:9', disable: true, trackingPlan: PLAN });
const trackRounds = { noPlan: [], withPlan: [] };
for (let turn = 0; turn < 6; turn += 1) {
  trackRounds.noPlan.push(measure((index) => { noPlan.track(valid[index & 1023]); }, CALLS / 4));
  trackRounds.withPlan.push(measure((index) => { withPlan.track(valid[index & 1023]); }, CALLS / 4));
}
const trackNoPlan = median(trackRounds.noPlan);
const trackWithPlan = median(trackRounds.withPlan);
await Promise.all([noPlan.closeAndFlush({ timeout: 1000 }), withPlan.closeAndFlush({ timeout: 1000 })]);

// What validating by compiling the schema on every call costs (as Typewriter's generated client does), for scale.
const Ajv = require('ajv');
const perCall = measure((index) => { sink += new Ajv({ strict: false }).validate(PLAN.rules[2].jsonSchema, valid[index & 1023]) ? 1 : 0; }, 200);

const checkValid = rows[0][1];
console.log(`tracking plan bench: ${EVENTS.length} events x 10 properties (nested object, array of objects), ${ROUNDS} rounds, node ${process.version}`);
console.log('');
console.log('| path | CPU ns per call |');
console.log('|---|---|');
for (const [name, ns] of rows) console.log(`| ${name} | ${ns.toFixed(0)} |`);
console.log(`| analytics.track(), no plan (disable: true) | ${trackNoPlan.toFixed(0)} |`);
console.log(`| analytics.track(), under the plan (disable: true) | ${trackWithPlan.toFixed(0)} |`);
console.log(`| Ajv compile + validate on every call (Typewriter's way) | ${perCall.toFixed(0)} |`);
console.log('');
const added = trackWithPlan - trackNoPlan;
console.log(`added per valid track call: ${(added / 1000).toFixed(3)} µs (budget 1 µs): ${added <= 1000 ? 'within' : 'OVER'}; track() under the plan = ${(trackWithPlan / trackNoPlan * 100).toFixed(0)} % of track() alone; check() alone ${(checkValid / 1000).toFixed(3)} µs`);
if (sink < 0) console.log(sink);
