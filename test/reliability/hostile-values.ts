/**
 * Values an application may pass by mistake, each made fresh (some are circular or stateful).
 * `jsonSafe` says whether JSON.stringify can represent it; the library must then either send it as
 * JSON would, or refuse the call with a ValidationError — never crash.
 */
export interface Hostile {
  readonly name: string;
  readonly make: () => unknown;
}

/** A string of `bytes` ASCII characters (5 MB by default). */
export const bigString = (bytes = 5 * 1024 * 1024): string => 'x'.repeat(bytes);

function deepArray(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function deepObject(depth: number): unknown {
  let value: unknown = {};
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

export const HOSTILE_VALUES: readonly Hostile[] = [
  {
    name: 'a circular object',
    make: () => {
      const value: Record<string, unknown> = { a: 1 };
      value.self = value;
      return value;
    },
  },
  {
    name: 'a circular array',
    make: () => {
      const value: unknown[] = [1];
      value.push(value);
      return value;
    },
  },
  { name: 'a BigInt', make: () => 12345678901234567890n },
  { name: 'an object holding a BigInt', make: () => ({ big: 1n }) },
  { name: 'a Symbol', make: () => Symbol('s') },
  { name: 'an object holding a Symbol value and a Symbol key', make: () => ({ s: Symbol('v'), [Symbol('k')]: 1, kept: true }) },
  { name: 'a function', make: () => () => 1 },
  { name: 'an object holding a function', make: () => ({ f: () => 1, kept: 'yes' }) },
  {
    name: 'an object whose toJSON throws',
    make: () => ({
      toJSON() {
        throw new Error('toJSON exploded');
      },
    }),
  },
  {
    name: 'an object holding a value whose toJSON throws',
    make: () => ({
      inner: {
        toJSON() {
          throw new Error('toJSON exploded');
        },
      },
    }),
  },
  { name: 'an object holding a value whose toJSON returns a string', make: () => ({ inner: { toJSON: () => 'as text' } }) },
  {
    name: 'an object with a getter that throws',
    make: () => ({
      get boom(): never {
        throw new Error('getter exploded');
      },
    }),
  },
  {
    name: 'an object with a getter that throws a non-Error',
    make: () => ({
      get boom(): never {
        throw 'a thrown string';
      },
    }),
  },
  {
    name: 'a Proxy that throws on every trap',
    make: () =>
      new Proxy(
        {},
        {
          get: () => {
            throw new Error('trap');
          },
          ownKeys: () => {
            throw new Error('trap');
          },
          getOwnPropertyDescriptor: () => {
            throw new Error('trap');
          },
          getPrototypeOf: () => {
            throw new Error('trap');
          },
        },
      ),
  },
  { name: 'a Map', make: () => new Map([['a', 1]]) },
  { name: 'a Set', make: () => new Set([1, 2]) },
  { name: 'an object holding a Map and a Set', make: () => ({ map: new Map([['a', 1]]), set: new Set([1]) }) },
  { name: 'a Buffer', make: () => Buffer.from('buffer bytes') },
  { name: 'an object holding a Buffer and a Uint8Array', make: () => ({ buffer: Buffer.from('ab'), bytes: new Uint8Array([1, 2]) }) },
  { name: 'a lone high surrogate', make: () => 'a\ud800b' },
  { name: 'a lone low surrogate', make: () => '\udc00' },
  { name: 'an object with lone surrogates in keys and values', make: () => ({ ['k\udbff']: 'v\udfff', ok: '\ud83d\ude00' }) },
  { name: 'control characters, CR/LF, NUL, U+2028', make: () => 'a\r\nb\u0000c\u2028d\u001b[31m' },
  { name: 'an own __proto__ key (as JSON.parse makes it)', make: () => JSON.parse('{"__proto__":{"polluted":true},"a":1}') as unknown },
  { name: 'constructor.prototype keys', make: () => JSON.parse('{"constructor":{"prototype":{"polluted":true}}}') as unknown },
  { name: 'an object with a null prototype', make: () => Object.assign(Object.create(null) as object, { a: 1 }) },
  { name: 'arrays nested 10,000 deep', make: () => deepArray(10_000) },
  { name: 'objects nested 10,000 deep', make: () => deepObject(10_000) },
  { name: 'arrays nested 100,000 deep', make: () => deepArray(100_000) },
  { name: 'a 5 MB string', make: () => bigString() },
  { name: 'an object holding a 5 MB string', make: () => ({ text: bigString() }) },
  { name: 'an object with 5,000 keys', make: () => Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])) },
  { name: 'NaN', make: () => Number.NaN },
  { name: 'Infinity', make: () => Number.POSITIVE_INFINITY },
  { name: '-Infinity', make: () => Number.NEGATIVE_INFINITY },
  { name: '-0', make: () => -0 },
  { name: '2^53 + 2', make: () => 2 ** 53 + 2 },
  { name: 'an object holding NaN, Infinity and -0', make: () => ({ nan: Number.NaN, inf: Number.POSITIVE_INFINITY, negativeZero: -0 }) },
  { name: 'an invalid Date', make: () => new Date(Number.NaN) },
  { name: 'a valid Date', make: () => new Date(Date.UTC(2020, 1, 29, 12, 0, 0, 7)) },
  { name: 'an object holding an invalid Date', make: () => ({ when: new Date('not a date') }) },
  { name: 'a sparse array with undefined', make: () => [1, , undefined, 3] },
  { name: 'a class instance', make: () => new (class Point { x = 1; y = 2 })() },
  { name: 'an Error', make: () => new Error('an error value') },
  { name: 'a RegExp', make: () => /re/g },
  { name: 'a Promise', make: () => Promise.resolve(1) },
  { name: 'a WeakMap', make: () => new WeakMap() },
  { name: 'boxed primitives', make: () => [new String('s'), new Number(1), new Boolean(false)] },
  { name: 'a boxed String', make: () => new String('boxed') },
  { name: 'null', make: () => null },
  { name: 'undefined', make: () => undefined },
  { name: 'true', make: () => true },
  { name: 'an empty string', make: () => '' },
  { name: 'a 101-character string', make: () => 'm'.repeat(101) },
  { name: 'an ISO string', make: () => '2024-02-29T23:59:59.999+02:00' },
  { name: 'a frozen object with a library key', make: () => Object.freeze({ library: { name: 'mine' }, otel: 'mine', ip: '10.0.0.1' }) },
];
