import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const READ_IN_CHILD = `
const { readAttributes } = require(process.argv[1]);
const attributes = { 'analytics.properties': JSON.stringify({ a: { kept: true } }) };
for (let i = 0; i < 100000; i++) attributes['analytics.properties.a.k' + i] = i;
const a = readAttributes(attributes).fields.properties.a;
process.stdout.write(JSON.stringify({ keys: Object.keys(a).length, kept: a.kept, last: a.k99999 }));
`;

// Reading must be linear in the number of attributes. Merged by copying the parent object per key
// (quadratic), 20,000 keys blocked for 94 s and these 100,000 would take over half an hour; linear,
// they take well under a second. The child is given far more than that, and killed after it: the
// reading runs synchronously, so no timeout inside this process could stop it.
test('100,000 flattened attributes under one nested prefix are merged into one object, each key once', async () => {
  const module = join(__dirname, '..', '..', 'src', 'otel', 'read-attributes.js');
  const output = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['-e', READ_IN_CHILD, module], { timeout: 60_000 }, (error, stdout) => (error === null ? resolve(stdout) : reject(error)));
  });
  assert.deepEqual(JSON.parse(output), { keys: 100_001, kept: true, last: 99_999 });
});
