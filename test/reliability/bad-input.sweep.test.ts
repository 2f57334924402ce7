import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { EventType } from '../../src/index.js';
import { ALL_KEYS, CallContract, TYPES, assertRefusedProperly, type Params } from './call-contract.js';
import { HOSTILE_VALUES, type Hostile } from './hostile-values.js';

/** Valid calls of each type, into which one hostile value is put at a time. */
const BASE: Record<EventType, Params> = {
  identify: { userId: 'u', traits: { plan: 'pro' } },
  track: { userId: 'u', event: 'Swept' },
  page: { userId: 'u', name: 'Home' },
  screen: { anonymousId: 'a', name: 'Main' },
  group: { userId: 'u', groupId: 'g' },
  alias: { userId: 'u', previousId: 'p' },
};

/** Values that cost tens of milliseconds each (5 MB strings, deep nesting): every field of track, two fields of the other types. */
const HEAVY = /5 MB|10,000 deep|100,000 deep|5,000 keys/;

let contract: CallContract;
before(async () => {
  contract = await CallContract.start();
});
after(() => contract.stop());

/** Puts each value in each field, calls, then checks each accepted call was delivered as JSON represents it. */
async function sweep(type: EventType, values: readonly Hostile[], fields: readonly string[]): Promise<number> {
  const accepted: Array<{ params: Params; id: string; label: string }> = [];
  for (const hostile of values) {
    for (const field of fields) {
      const params = { ...BASE[type], [field]: hostile.make() };
      const label = `${type}.${field} = ${hostile.name}`;
      const outcome = contract.call(type, params);
      if ('thrown' in outcome) assertRefusedProperly(outcome.thrown, label);
      else accepted.push({ params, id: outcome.id, label });
    }
  }
  await contract.flushAndIndex(type);
  for (const { params, id, label } of accepted) contract.assertDeliveredAsPassed(type, params, id, label);
  return accepted.length;
}

for (const type of TYPES) {
  test(`${type}: every hostile value in every field, and as the params object itself — delivered as JSON represents it, or a ValidationError`, async () => {
    const light = HOSTILE_VALUES.filter((hostile) => !HEAVY.test(hostile.name));
    const heavy = HOSTILE_VALUES.filter((hostile) => HEAVY.test(hostile.name));
    const accepted = (await sweep(type, light, ALL_KEYS)) + (await sweep(type, heavy, type === 'track' ? ALL_KEYS : ['properties', 'userId']));
    assert.ok(accepted > 0, 'some hostile values are representable and were delivered');
    for (const hostile of HOSTILE_VALUES) {
      const outcome = contract.call(type, hostile.make());
      if ('thrown' in outcome) assertRefusedProperly(outcome.thrown, `${type}(${hostile.name})`);
      else assert.fail(`${type}(${hostile.name}) was accepted as a params object`);
    }
    contract.assertProcessUnharmed(type);
  });
}

test('nesting 10,000 deep neither overflows the stack nor crashes: a ValidationError or delivered, in properties, traits, context and integrations', async () => {
  for (const field of ['properties', 'traits', 'context', 'integrations']) {
    for (const hostile of HOSTILE_VALUES.filter((value) => /deep/.test(value.name))) {
      await contract.check('identify', { userId: 'u', [field]: { nested: hostile.make() } }, `${field}.nested = ${hostile.name}`);
    }
  }
  contract.assertProcessUnharmed('deep');
});

test('the same params object used for two calls, and changed in between, sends each as it was at its call', async () => {
  const params: Params = { userId: 'u', event: 'Reused', properties: { step: 1 } };
  const first = contract.call('track', params);
  (params.properties as Params).step = 2;
  params.messageId = 'chosen-once';
  const second = contract.call('track', params);
  assert.ok('id' in first && 'id' in second);
  await contract.flushAndIndex('reused');
  assert.notEqual(first.id, 'chosen-once', 'the messageId given to the second call does not reach the first');
  assert.equal(second.id, 'chosen-once');
  assert.deepEqual((contract.delivered.get(first.id)!.properties as Params).step, 1);
  assert.deepEqual((contract.delivered.get(second.id)!.properties as Params).step, 2);
});
