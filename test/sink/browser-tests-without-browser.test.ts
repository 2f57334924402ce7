import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

// The browser test files on a machine without a browser: skipped with one line saying how to run
// them, unless CI=true, where a missing browser must fail the run.
const BROWSER_TESTS = [join(__dirname, 'debugger-page.test.js')];

async function runWithout(extraEnv: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium', ...extraEnv };
  // Otherwise the child reports to this runner instead of running as a run of its own.
  delete env.NODE_TEST_CONTEXT;
  if (extraEnv.CI === undefined) delete env.CI;
  const child = spawn(process.execPath, ['--test', '--test-reporter=tap', ...BROWSER_TESTS], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, output };
}

test('without a browser the browser tests skip, saying how to enable them, with no failure and no cleanup error', async () => {
  const { code, output } = await runWithout({});
  assert.equal(code, 0, output);
  assert.match(output, /# fail 0/);
  assert.match(output, /# SKIP no browser at \/nonexistent\/chromium: install Debian's chromium .* or set CHROMIUM_PATH/);
  assert.doesNotMatch(output, /not ok/);
});

test('with CI=true a missing browser fails the browser tests', async () => {
  const { code, output } = await runWithout({ CI: 'true' });
  assert.notEqual(code, 0);
  assert.match(output, /\/nonexistent\/chromium does not exist/);
});
