import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readAttributes } from '../../src/otel/read-attributes.js';

test('flattened attributes merged into a map attribute never write into the caller’s nested objects', () => {
  const address = { city: 'Paris' };
  const properties = { plan: 'pro', address };
  const found = readAttributes({ 'analytics.properties': properties, 'analytics.properties.address.zip': '75001' });
  assert.ok(!('code' in found));
  assert.deepEqual(found.fields.properties, { plan: 'pro', address: { city: 'Paris', zip: '75001' } });
  assert.deepEqual(address, { city: 'Paris' }, 'the caller’s nested object is unchanged');
  assert.deepEqual(properties, { plan: 'pro', address: { city: 'Paris' } });
});
