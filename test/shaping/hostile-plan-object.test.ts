import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { Analytics, ConfigurationError } from '../../src/index.js';

test('a tracking plan object whose getter throws a null-prototype object: the constructor throws a printable ConfigurationError', () => {
  const trackingPlan = {
    get rules(): never {
      throw Object.create(null);
    },
  };
  let thrown: unknown;
  try {
    new Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9', trackingPlan: trackingPlan as never });
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof ConfigurationError, `threw ${Object.prototype.toString.call(thrown)}`);
  assert.equal(thrown.option, 'trackingPlan');
  assert.doesNotThrow(() => inspect(thrown));
});
