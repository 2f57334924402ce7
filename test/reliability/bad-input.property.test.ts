import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { EventType } from '../../src/index.js';
import { LIBRARY } from '../../src/version.js';
import { ALL_KEYS, CallContract, OBJECT_FIELDS, TYPES, assertRefusedProperly, type CallKey, type Params } from './call-contract.js';
import { HOSTILE_VALUES } from './hostile-values.js';
import { describeThrown } from './watch-process.js';

/** Fixed seeds: a failure names its seed and replays the same way. */
const SEEDS = Object.freeze({ valid: 20_261_127, hostile: 424_242, toJSON: 707, readTwice: 31_337 });

let contract: CallContract;
before(async () => {
  contract = await CallContract.start();
});
after(() => contract.stop());

// ---------- arbitraries ----------

/** One UTF-16 unit, lone surrogates included. */
const anyUnit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
);
const text = fc.string({ unit: anyUnit, maxLength: 24 });
const nonEmptyText = fc.string({ unit: anyUnit, minLength: 1, maxLength: 24 });
const key = fc.oneof(text, fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'library', 'otel', 'messageId', 'type', 'writeKey', 'toJSON'));
/** Values JSON can hold, plus those it turns into null or a string (NaN, Infinity, -0, Dates, invalid Dates). */
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    text,
    fc.date(),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(key, tie('json'), { maxKeys: 4 }),
  ),
}));
const payload = fc.dictionary(key, json, { maxKeys: 6 });
const idValue = fc.oneof(nonEmptyText, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const timestamp = fc.oneof(
  fc.date({ noInvalidDate: true }),
  fc.date({ noInvalidDate: true, min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z') }).map((date) => date.toISOString()),
);
const messageId = fc.string({ unit: anyUnit, minLength: 1, maxLength: 100 });

/** A valid value for each key a call reads. */
const VALID: Record<CallKey, fc.Arbitrary<unknown>> = {
  userId: idValue,
  anonymousId: idValue,
  event: nonEmptyText,
  name: text,
  category: text,
  groupId: idValue,
  previousId: idValue,
  properties: payload,
  traits: payload,
  integrations: payload,
  context: payload,
  timestamp,
  messageId,
  unknownKey: json,
};

/** A call that must be delivered: the required fields present, every value JSON-safe. */
const validCall = fc.constantFrom(...TYPES).chain((type) => {
  const required = type === 'alias' ? ['previousId'] : type === 'track' ? ['event'] : type === 'group' ? ['groupId'] : [];
  const identity = type === 'alias' ? fc.constant({}) : fc.oneof(fc.record({ userId: idValue }), fc.record({ anonymousId: idValue }), fc.record({ userId: idValue, anonymousId: idValue }));
  const rest = fc.record(Object.fromEntries(ALL_KEYS.filter((k) => k !== 'userId' && k !== 'anonymousId').map((k) => [k, VALID[k]])), { requiredKeys: required as never[] });
  const aliasIds = type === 'alias' ? fc.record({ userId: idValue }) : fc.constant({});
  return fc.tuple(fc.constant(type), identity, rest, aliasIds).map(([t, who, fields, ids]) => [t, { ...fields, ...who, ...ids }] as [EventType, Params]);
});

const LIGHT_HOSTILES = HOSTILE_VALUES.filter((hostile) => !/5 MB|100,000|10,000 deep|5,000 keys/.test(hostile.name));
const hostileValue = fc.constantFrom(...LIGHT_HOSTILES).map((hostile) => hostile.make());
const anything = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withMap: true,
  withSet: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withBoxedValues: true,
  withObjectString: true,
});

/** Any mix of valid, hostile and random values in any fields, some of them getters that throw. */
const hostileCall = fc
  .tuple(
    fc.constantFrom(...TYPES),
    fc.record(Object.fromEntries(ALL_KEYS.map((k) => [k, fc.oneof(VALID[k], hostileValue, anything)])), { requiredKeys: [] }),
    fc.subarray([...ALL_KEYS], { maxLength: 2 }),
  )
  .map(([type, fields, throwing]) => {
    const params: Params = { ...fields };
    for (const name of throwing) {
      Object.defineProperty(params, name, {
        enumerable: true,
        get() {
          throw new Error(`getter of ${name} exploded`);
        },
      });
    }
    return [type, params] as [EventType, Params];
  });

// ---------- properties ----------

test(`valid calls of every type with random JSON data (lone surrogates, __proto__ keys, NaN, Dates) are delivered exactly as JSON represents them [seed ${SEEDS.valid}]`, async () => {
  await fc.assert(
    fc.asyncProperty(validCall, async ([type, params]) => {
      const label = `seed ${SEEDS.valid}, ${type}`;
      const outcome = contract.call(type, params);
      assert.ok('id' in outcome, `${label}: a valid call was refused: ${'thrown' in outcome ? describeThrown(outcome.thrown) : ''}`);
      await contract.flushAndIndex(label);
      contract.assertDeliveredAsPassed(type, params, outcome.id, label);
    }),
    { seed: SEEDS.valid, numRuns: 150, includeErrorInReport: true, interruptAfterTimeLimit: 4000 },
  );
  contract.assertProcessUnharmed(`seed ${SEEDS.valid}`);
});

test(`random and hostile values in every field (BigInt, Symbol, functions, Proxies, Maps, throwing getters…): delivered as JSON represents them, or a ValidationError [seed ${SEEDS.hostile}]`, async () => {
  await fc.assert(
    fc.asyncProperty(hostileCall, async ([type, params]) => contract.check(type, params, `seed ${SEEDS.hostile}, ${type}`)),
    { seed: SEEDS.hostile, numRuns: 250, includeErrorInReport: true, interruptAfterTimeLimit: 4000 },
  );
  contract.assertProcessUnharmed(`seed ${SEEDS.hostile}`);
});

test(`context, properties, traits or integrations whose toJSON returns any JSON value: delivered as JSON represents it (an object), or a ValidationError [seed ${SEEDS.toJSON}]`, async () => {
  const arbitrary = fc.tuple(fc.constantFrom('context', 'properties', 'traits', 'integrations'), json, fc.dictionary(key, json, { maxKeys: 3 }));
  await fc.assert(
    fc.asyncProperty(arbitrary, async ([field, returned, own]) => {
      const value = { ...own, toJSON: () => returned };
      await contract.check('track', { userId: 'u', event: 'toJSON', [field]: value }, `seed ${SEEDS.toJSON}, ${field}.toJSON() returns ${JSON.stringify(returned)}`);
    }),
    { seed: SEEDS.toJSON, numRuns: 60, includeErrorInReport: true, interruptAfterTimeLimit: 4000 },
  );
  contract.assertProcessUnharmed(`seed ${SEEDS.toJSON}`);
});

test(`fields whose getter returns a different value on each read: a ValidationError or a well-formed message, never a raw exception or a body that is not JSON [seed ${SEEDS.readTwice}]`, async () => {
  const reads = fc.array(fc.oneof(VALID.context, VALID.event, hostileValue, fc.constantFrom('text', [1, 2], 7)), { minLength: 1, maxLength: 8 });
  const arbitrary = fc.tuple(fc.constantFrom(...ALL_KEYS), reads);
  await fc.assert(
    fc.asyncProperty(arbitrary, async ([field, values]) => {
      const label = `seed ${SEEDS.readTwice}, ${field} reads ${values.length} values`;
      let read = 0;
      const params: Params = { userId: 'u', event: 'Shifty', context: { ip: '10.0.0.1' } };
      Object.defineProperty(params, field, { enumerable: true, get: () => values[Math.min(read++, values.length - 1)] });
      const outcome = contract.call('track', params);
      if ('thrown' in outcome) return assertRefusedProperly(outcome.thrown, label);
      await contract.flushAndIndex(label);
      const message = contract.delivered.get(outcome.id);
      assert.ok(message !== undefined, `${label}: delivered`);
      const context = message.context as Record<string, unknown>;
      assert.deepEqual(context.library, { ...LIBRARY }, `${label}: context.library`);
      for (const name of OBJECT_FIELDS) {
        if (name in message) assert.ok(typeof message[name] === 'object' && message[name] !== null && !Array.isArray(message[name]), `${label}: ${name} is an object`);
      }
      for (const name of ['event', 'name', 'category', 'userId', 'anonymousId', 'messageId']) {
        if (name in message) assert.equal(typeof message[name], 'string', `${label}: ${name} is a string`);
      }
    }),
    { seed: SEEDS.readTwice, numRuns: 100, includeErrorInReport: true, interruptAfterTimeLimit: 4000 },
  );
  contract.assertProcessUnharmed(`seed ${SEEDS.readTwice}`);
});
