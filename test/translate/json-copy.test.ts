import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toPlain, plainOf } from '../../src/shaping/plain-message.js';
import { buildRecord, isProblem } from '../../src/translate/build-record.js';
import { jsonCopy, NOT_COPIED } from '../../src/translate/json-copy.js';
import { toMessage } from '../../src/translate/message.js';
import { pickFields } from '../../src/translate/pick-fields.js';

function viaJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const sparse: unknown[] = [1];
sparse[3] = 'four';
const nullProto: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: { c: [true, null] } });

/** Data the copy must read exactly as JSON does. */
const COPIED: Record<string, Record<string, unknown>> = {
  'strings, numbers, booleans, null': { s: 'text', n: 12.5, zero: 0, negative: -3, t: true, f: false, nothing: null },
  'non-finite numbers become null': { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, ninf: Number.NEGATIVE_INFINITY, list: [Number.NaN, 1] },
  'negative zero is written 0': { z: -0, list: [-0] },
  'undefined, functions and symbols: keys left out, items null': { u: undefined, fn: () => 1, sym: Symbol('s'), list: [undefined, () => 1, Symbol('t'), 'kept'] },
  'a sparse array': { list: sparse },
  'Dates, valid and not': { at: new Date('2026-03-04T05:06:07.089Z'), bad: new Date('nope'), list: [new Date(0)] },
  'an object without a prototype': { inner: nullProto },
  'a __proto__ key stays a key': JSON.parse('{"outer":{"__proto__":{"polluted":true},"x":1}}') as Record<string, unknown>,
  'integer-like keys keep JSON order': { b: 1, 2: 'two', a: 2, 1: 'one' },
  'unicode, lone surrogates, quotes and control characters': { text: 'é 🚀 \ud800 "q" \\ \n\u0001' },
  'nesting 20 deep': { deep: Array.from({ length: 20 }).reduce<unknown>((inner) => ({ inner }), 'bottom') },
  'arrays of objects, objects of arrays': { products: [{ sku: 'a', qty: 1, tags: ['x', 'y'] }, { sku: 'b', qty: 2, tags: [] }], empty: {} },
};

test('jsonCopy reads data exactly as JSON.parse(JSON.stringify()) does, and serializes to the same text', () => {
  for (const [name, value] of Object.entries(COPIED)) {
    const copied = jsonCopy(value);
    assert.notEqual(copied, NOT_COPIED, name);
    assert.deepStrictEqual(copied, viaJson(value), name);
    assert.equal(JSON.stringify(copied), JSON.stringify(value), name);
  }
});

test('jsonCopy shares nothing with the original: editing the copy leaves the caller\'s objects as they were', () => {
  const original = { properties: { address: { city: 'Paris' }, items: [{ sku: 'a' }] } };
  const copied = jsonCopy(original) as typeof original;
  copied.properties.address.city = 'Lyon';
  copied.properties.items[0]!.sku = 'b';
  copied.properties.items.push({ sku: 'c' });
  assert.deepStrictEqual(original, { properties: { address: { city: 'Paris' }, items: [{ sku: 'a' }] } });
});

test('jsonCopy leaves to JSON what it does not copy: class instances, toJSON, boxed values, BigInt, cycles, huge arrays', () => {
  const cycle: Record<string, unknown> = { name: 'loop' };
  cycle.self = cycle;
  const dateWithOwnToJSON = Object.assign(new Date(0), { toJSON: () => 'custom' });
  class Stamp extends Date {}
  const hostileLength: unknown[] = [];
  hostileLength.length = 100_000_000;
  const refused: Record<string, unknown> = {
    'a class instance': new Point(1, 2),
    'a Map': new Map([['a', 1]]),
    'a Buffer': Buffer.from('hi'),
    'an object with toJSON': { toJSON: () => 'x' },
    'a Date with its own toJSON': dateWithOwnToJSON,
    'a Date subclass': new Stamp(0),
    'a boxed number': Object(1) as unknown,
    'a boxed string': Object('s') as unknown,
    'a BigInt': 10n,
    'a cycle': cycle,
    'nesting 40 deep': Array.from({ length: 40 }).reduce<unknown>((inner) => ({ inner }), 1),
    'an array longer than a message can hold': hostileLength,
    'an array subclass': new (class List extends Array<number> {})(),
  };
  for (const [name, value] of Object.entries(refused)) {
    assert.equal(jsonCopy({ properties: { value } }), NOT_COPIED, name);
  }
});

test('jsonCopy leaves everything to JSON while an app has added an enumerable key to Object.prototype', () => {
  const proto = Object.prototype as Record<string, unknown>;
  proto.polluted = { leaked: true };
  try {
    assert.equal(jsonCopy({ properties: { a: 1 } }), NOT_COPIED);
  } finally {
    delete proto.polluted;
  }
  assert.deepStrictEqual(jsonCopy({ properties: { a: 1 } }), { properties: { a: 1 } });
});

test('jsonCopy reads each getter once; a getter or a Proxy trap that throws leaves the data to JSON', () => {
  let reads = 0;
  const data = {
    properties: {
      get revenue(): number | string {
        reads += 1;
        return reads === 1 ? 10 : 'ten';
      },
    },
  };
  const copied = jsonCopy(data) as { properties: { revenue: unknown } };
  assert.equal(reads, 1);
  assert.equal(copied.properties.revenue, 10);
  assert.equal(Object.getOwnPropertyDescriptor(copied.properties, 'revenue')?.get, undefined, 'the copy holds the value, not the getter');
  const failing = { properties: { get broken(): never { throw new Error('getter failed'); } } };
  assert.equal(jsonCopy(failing), NOT_COPIED);
  const symbolGetter = { properties: { a: 1, get [Symbol('hidden')](): never { throw new Error('JSON never reads me'); } } };
  assert.equal(jsonCopy(symbolGetter), NOT_COPIED, 'then JSON, which skips symbol keys, sends it');
  const trap = new Proxy({ a: 1 }, { getPrototypeOf: () => { throw new Error('trap JSON never calls'); } });
  assert.equal(jsonCopy({ properties: trap }), NOT_COPIED);
});

test('jsonCopy never calls what an array could replace (slice, constructor, species): items are read by index', () => {
  class Evil extends Array<number> {
    toJSON(): string {
      return 'EVIL';
    }
  }
  const withConstructor = Object.assign([1, 2], { constructor: Evil });
  const withSlice = Object.assign([1, 2], { slice: () => 'EVIL' });
  const withBadConstructor = Object.assign([1], { constructor: null });
  for (const [name, array] of Object.entries({ withConstructor, withSlice, withBadConstructor })) {
    const value = { list: array };
    const copied = jsonCopy(value);
    assert.notEqual(copied, NOT_COPIED, name);
    assert.deepStrictEqual(copied, viaJson(value), name);
    assert.equal(Object.getPrototypeOf((copied as { list: unknown }).list), Array.prototype, name);
  }
  let lengthReads = 0;
  const shifting = new Proxy(['x'], { get: (target, key) => (key === 'length' ? (lengthReads++ === 0 ? 1 : 2 ** 32 - 1) : Reflect.get(target, key)) });
  assert.deepStrictEqual(jsonCopy({ list: shifting }), { list: ['x'] }, 'length is read once');
});

test('jsonCopy copies what a Date\'s toJSON returns as JSON would serialize it, never the result itself', () => {
  const cases: Array<[string, () => unknown]> = [
    ['a function', () => () => 1],
    ['NaN', () => Number.NaN],
    ['an object with an undefined key', () => ({ iso: 'x', extra: undefined })],
    ['an object', () => ({ nested: { at: 1 } })],
  ];
  for (const [name, result] of cases) {
    const date = new Date(0);
    const produced = result();
    date.toISOString = () => produced as string;
    const value = { at: date, kept: 1 };
    const copied = jsonCopy(value);
    assert.notEqual(copied, NOT_COPIED, name);
    assert.deepStrictEqual(copied, viaJson(value), name);
    if (typeof produced === 'object') assert.notEqual((copied as { at: unknown }).at, produced, `${name}: not shared`);
  }
  const boxed = new Date(0);
  boxed.toISOString = () => Object('abc') as string;
  assert.equal(jsonCopy({ at: boxed }), NOT_COPIED, 'a boxed string is left to JSON');
});

test('jsonCopy is bounded by what a message can hold: a small graph of shared references is left to JSON', () => {
  let shared: unknown = [];
  for (let level = 0; level < 26; level += 1) shared = [shared, shared];
  assert.equal(jsonCopy({ properties: { shared } }), NOT_COPIED);
  const wide = Object.fromEntries(Array.from({ length: 25_000 }, (_, index) => [`k${index}`, index]));
  assert.equal(jsonCopy({ properties: wide }), NOT_COPIED);
  let twice: unknown = { leaf: 1 };
  for (let level = 0; level < 5; level += 1) twice = { a: twice, b: twice };
  assert.deepStrictEqual(jsonCopy({ twice }), viaJson({ twice }), 'shared references are copied apart, as JSON writes them');
});

test('jsonCopy gives up when a getter adds a key to Object.prototype while it copies', () => {
  const proto = Object.prototype as Record<string, unknown>;
  const value = {
    get first(): number {
      proto.pollutedDuringCopy = 0;
      return 1;
    },
    second: {},
  };
  try {
    assert.equal(jsonCopy(value), NOT_COPIED);
  } finally {
    delete proto.pollutedDuringCopy;
  }
});

test('buildRecord with keepPlain: same text as without, the copy kept; a stage\'s view of it equals a parse of the message', () => {
  const writeKeyJson = JSON.stringify('wk');
  const calls: Array<{ fields: Record<string, unknown>; traceId?: string; spanId?: string }> = [
    { fields: { userId: 42, event: 'Order Completed', properties: { revenue: 9.5, at: new Date(0), gone: undefined, nan: Number.NaN, items: [{ sku: 'a' }] }, context: { locale: 'fr', library: 'not ours', otel: 'not ours', nested: { a: [1] } } } },
    { fields: { anonymousId: 'a', event: 'E' }, traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' },
    { fields: { userId: 'u', traits: nullProto, integrations: { All: false } } },
  ];
  for (const call of calls) {
    const picked = pickFields(call.fields);
    assert.ok(!isProblem(picked));
    const input = { type: call.fields.event === undefined ? ('identify' as const) : ('track' as const), picked, messageId: 'm-1', timestamp: '2026-01-01T00:00:00.000Z', traceId: call.traceId, spanId: call.spanId };
    const plainRecord = buildRecord(input, true);
    const textRecord = buildRecord(input);
    assert.ok(!isProblem(plainRecord) && !isProblem(textRecord));
    assert.ok(plainRecord.plain !== undefined, 'the copy is kept');
    assert.equal(textRecord.plain, undefined, 'no copy unless asked');
    const message = toMessage(plainRecord, writeKeyJson);
    assert.equal(message.json, toMessage(textRecord, writeKeyJson).json);
    assert.deepStrictEqual(plainOf(plainRecord, plainRecord.plain, message.messageId), toPlain(message, writeKeyJson));
  }
});

test('buildRecord with keepPlain: data the copy does not cover is serialized as before, without a copy; a getter that throws is a NOT_SERIALIZABLE problem only where JSON throws too', () => {
  const input = (properties: Record<string, unknown>) => {
    const picked = pickFields({ userId: 'u', event: 'E', properties });
    assert.ok(!isProblem(picked));
    return { type: 'track' as const, picked, messageId: 'm', timestamp: '2026-01-01T00:00:00.000Z', traceId: undefined, spanId: undefined };
  };
  const withPoint = buildRecord(input({ at: new Point(1, 2) }), true);
  assert.ok(!isProblem(withPoint));
  assert.equal(withPoint.plain, undefined);
  assert.equal(withPoint.fields, '{"userId":"u","event":"E","properties":{"at":{"x":1,"y":2}}}');
  const big = buildRecord(input({ n: 1n }), true);
  assert.ok(isProblem(big));
  assert.equal(big.code, 'MR_ERR_NOT_SERIALIZABLE');
  const throwing = buildRecord(input({ get bad(): never { throw new Error('no'); } }), true);
  assert.ok(isProblem(throwing), 'the copy leaves it to JSON, which throws too');
  assert.equal(throwing.code, 'MR_ERR_NOT_SERIALIZABLE');
  assert.equal(throwing.field, 'properties');
  const symbolGetter = buildRecord(input({ a: 1, get [Symbol('s')](): never { throw new Error('never read by JSON'); } }), true);
  assert.ok(!isProblem(symbolGetter), 'sent as it was before there was a copy');
  assert.equal(symbolGetter.fields, '{"userId":"u","event":"E","properties":{"a":1}}');
});
