import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { readThrown } from '../../src/errors/metarouter-error.js';

const throwing = (): never => {
  throw Object.create(null);
};
const everyTrapThrows: ProxyHandler<object> = { get: throwing, getPrototypeOf: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing, has: throwing };

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const VALUES: ReadonlyArray<readonly [string, () => unknown]> = [
  ['undefined', () => undefined],
  ['an Error with no message', () => new RangeError('')],
  ['null', () => null],
  ['a symbol', () => Symbol('thrown')],
  ['a BigInt', () => 10n],
  ['a 5 MB string', () => 'x'.repeat(5 * 1024 * 1024)],
  ['a null-prototype object', () => Object.create(null)],
  ['an object whose toString throws', () => ({ toString: throwing })],
  ['an object whose Symbol.toPrimitive throws', () => ({ [Symbol.toPrimitive]: throwing })],
  ['an Error whose message getter throws', () => Object.defineProperty(new Error('hidden'), 'message', { get: throwing })],
  ['an Error whose stack getter throws', () => Object.defineProperty(new Error('kept'), 'stack', { get: throwing })],
  ['an Error whose cause is a revoked Proxy', () => new Error('outer', { cause: revoked() })],
  ['a revoked Proxy', revoked],
  ['a Proxy whose every trap throws', () => new Proxy({}, everyTrapThrows)],
  ['a Proxy of an Error whose every trap throws', () => new Proxy(new Error('inner'), everyTrapThrows)],
  ['a function whose toString throws', () => Object.assign(() => 1, { toString: throwing })],
];

for (const [what, make] of VALUES) {
  test(`readThrown of ${what}: text of at most 1,001 characters and a cause an error can be printed with`, () => {
    const { text, cause } = readThrown(make());
    assert.equal(typeof text, 'string');
    assert.ok(text.length > 0 && text.length <= 1001, `${text.length} characters`);
    assert.doesNotThrow(() => inspect(new Error('report', { cause })));
  });
}

test('readThrown keeps what can be kept: an Error is its own cause and its message the text; a string is the text', () => {
  const error = new TypeError('bad value');
  assert.deepEqual(readThrown(error), { text: 'bad value', cause: error });
  assert.deepEqual(readThrown('plain words'), { text: 'plain words', cause: 'plain words' });
});
