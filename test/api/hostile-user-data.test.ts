import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { Analytics, ValidationError, type BeforeSend } from '../../src/index.js';

const nullObject = (): unknown => Object.create(null);

/** Call params whose reading throws something that is not an Error, and the field the refusal names. */
const HOSTILE_PARAMS: ReadonlyArray<readonly [string, () => unknown, string]> = [
  ['properties a Proxy whose getPrototypeOf trap throws a string', () => ({ userId: 'u1', event: 'Paid', properties: new Proxy({}, { getPrototypeOf: () => { throw 'no prototype'; } }) }), 'properties'],
  ['properties a Proxy whose getPrototypeOf trap throws a null-prototype object', () => ({ userId: 'u1', event: 'Paid', properties: new Proxy({}, { getPrototypeOf: () => { throw nullObject(); } }) }), 'properties'],
  ['context a Proxy whose getOwnPropertyDescriptor trap throws a null-prototype object', () => ({ userId: 'u1', event: 'Paid', context: new Proxy({}, { getOwnPropertyDescriptor: () => { throw nullObject(); } }) }), 'context'],
  ['context a revoked Proxy', () => ({ userId: 'u1', event: 'Paid', context: (() => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; })() }), 'context'],
  ['a timestamp getter that throws a null-prototype object', () => ({ userId: 'u1', event: 'Paid', get timestamp() { throw nullObject(); } }), 'timestamp'],
  ['a messageId getter that throws an object whose toString throws', () => ({ userId: 'u1', event: 'Paid', get messageId() { throw { toString: () => { throw new Error('no text'); } }; } }), 'messageId'],
  ['params a Proxy whose get trap throws a null-prototype object', () => new Proxy({}, { get: () => { throw nullObject(); } }), 'userId'],
  ['a timestamp Proxy whose getPrototypeOf trap throws a Proxy whose traps throw', () => ({ userId: 'u1', event: 'Paid', timestamp: new Proxy({}, { getPrototypeOf: () => { throw new Proxy({}, { get: () => { throw nullObject(); }, getPrototypeOf: () => { throw nullObject(); } }); } }) }), 'params'],
];

const keep: BeforeSend = (message) => message;

for (const [withHook, options] of [['without a hook', {}], ['with a hook', { beforeSend: keep }]] as const) {
  for (const [what, make, field] of HOSTILE_PARAMS) {
    test(`${withHook}, ${what}: the call throws a printable ValidationError naming ${field}`, async () => {
      const analytics = new Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9', ...options });
      try {
        let thrown: unknown;
        try {
          analytics.track(make() as never);
        } catch (error) {
          thrown = error;
        }
        assert.ok(thrown instanceof ValidationError, `threw ${Object.prototype.toString.call(thrown)}`);
        assert.equal(thrown.code, 'MR_ERR_NOT_SERIALIZABLE');
        assert.equal(thrown.field, field);
        assert.doesNotThrow(() => inspect(thrown));
      } finally {
        await analytics.closeAndFlush({ timeout: 100 });
      }
    });
  }
}
