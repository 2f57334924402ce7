import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
// Compiled to build/test/examples/: the repository is three levels up.
const root = join(__dirname, '..', '..', '..');

test('the demo delivers all six calls, each correlated with its request trace, and exits 0 on its own', async () => {
  const { stdout } = await run(process.execPath, [join(root, 'examples', 'demo.mjs')], { cwd: root, timeout: 60_000 });
  assert.match(stdout, /6 messages delivered, 6 correlated with their request's trace: OK/);
  for (const type of ['identify', 'track', 'page', 'screen', 'group', 'alias']) assert.match(stdout, new RegExp(`sink received .*${type}`));
  assert.doesNotMatch(stdout, /NOT on the span/);
});

test('the existing-setup example ships the facade call and the hand-recorded span event, nothing else', async () => {
  const { stdout } = await run(process.execPath, [join(root, 'examples', 'existing-otel-setup.mjs')], { cwd: root, timeout: 60_000 });
  assert.match(stdout, /"Order Completed"/);
  assert.match(stdout, /"Coupon Applied"/);
  assert.match(stdout, /^2 analytics messages delivered/m);
});
