import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ENTRY = join(__dirname, '..', '..', 'src', 'index.js');

/** The dependencies a fresh process has loaded after `script` ran (with the package as `pkg`). */
async function loadedAfter(script: string): Promise<string[]> {
  const program = `const pkg = require(${JSON.stringify(ENTRY)});
${script}
const names = new Set();
for (const file of Object.keys(require.cache)) {
  const match = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)[\\\\/]/.exec(file);
  if (match) names.add(match[1].replace(/\\\\/g, '/'));
}
process.stdout.write(JSON.stringify([...names]));`;
  const { stdout } = await run(process.execPath, ['-e', program], { timeout: 30_000 });
  return JSON.parse(stdout) as string[];
}

test('loading the package does not load Ajv: an app without a tracking plan never pays for it', async () => {
  const loaded = await loadedAfter('');
  assert.ok(loaded.includes('@opentelemetry/api'), `the probe sees dependencies: ${loaded.join(', ')}`);
  assert.deepEqual(loaded.filter((name) => name === 'ajv' || name === 'ajv-formats'), []);
});

test('loading the package does not load the plan reader and compiler; the first plan does', async () => {
  const program = (script: string): string => `const pkg = require(${JSON.stringify(ENTRY)});
${script}
process.stdout.write(JSON.stringify(Object.keys(require.cache).map((file) => /tracking-plan[\\\\/]([a-z-]+)\\.js$/.exec(file)?.[1]).filter(Boolean)));`;
  const compiler = ['compile-plan', 'normalize-plan', 'safe-regexp', 'module-text'];
  const atLoad = JSON.parse((await run(process.execPath, ['-e', program('')], { timeout: 30_000 })).stdout) as string[];
  assert.deepEqual(atLoad.filter((name) => compiler.includes(name)), []);
  const withPlan = JSON.parse((await run(process.execPath, ['-e', program(`pkg.createPlanEnforcer({ trackingPlan: { rules: [{ key: 'Signed Up', type: 'TRACK', version: 1, jsonSchema: {} }] } });`)], { timeout: 30_000 })).stdout) as string[];
  assert.ok(['compile-plan', 'normalize-plan'].every((name) => withPlan.includes(name)), withPlan.join(', '));
});

test('loading the package does not load undici; the first client on Node does (Bun and Deno load only what they send with)', async () => {
  assert.deepEqual((await loadedAfter('')).filter((name) => name === 'undici'), []);
  const loaded = await loadedAfter(`const analytics = new pkg.Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9' });
analytics.closeAndFlush({ timeout: 100 });`);
  assert.ok(loaded.includes('undici'), loaded.join(', '));
});

test('loading the package loads neither the sink, the bridge nor replay; each loads at its first call', async () => {
  const program = `const pkg = require(${JSON.stringify(ENTRY)});
const faces = () => [...new Set(Object.keys(require.cache).map((file) => /[\\\\/]src[\\\\/](sink|receiver|replay)[\\\\/]/.exec(file)?.[1]).filter(Boolean))].sort();
const atLoad = faces();
pkg.startSink({ port: 0, onLine: () => {} }).then(async (sink) => {
  await sink.close();
  process.stdout.write(JSON.stringify({ atLoad, afterSink: faces() }));
});`;
  const { stdout } = await run(process.execPath, ['-e', program], { timeout: 30_000 });
  const { atLoad, afterSink } = JSON.parse(stdout) as { atLoad: string[]; afterSink: string[] };
  assert.deepEqual(atLoad, []);
  assert.ok(afterSink.includes('sink'), afterSink.join(', '));
});

test('loading the package does not load storage; the first client with a storage directory does', async () => {
  const program = (script: string): string => `const pkg = require(${JSON.stringify(ENTRY)});
${script}
process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((file) => /[\\\\/]src[\\\\/]storage[\\\\/]/.test(file)).length));`;
  assert.equal(JSON.parse((await run(process.execPath, ['-e', program('')], { timeout: 30_000 })).stdout), 0);
  const directory = await mkdtemp(join(tmpdir(), 'lazy-storage-'));
  try {
    const opened = program(`const analytics = new pkg.Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9', storage: { directory: ${JSON.stringify(directory)} } });
analytics.closeAndFlush({ timeout: 100 });`);
    assert.ok(JSON.parse((await run(process.execPath, ['-e', opened], { timeout: 30_000 })).stdout) > 0);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test('a client on Node loads only the parts of undici it sends with, not its fetch, WebSocket, cache or mocks', async () => {
  const program = `const { createServer } = require('node:http');
const pkg = require(${JSON.stringify(ENTRY)});
const server = createServer((request, response) => request.resume().on('end', () => response.end('{}')));
server.listen(0, '127.0.0.1', async () => {
  const analytics = new pkg.Analytics({ writeKey: 'k', host: 'http://127.0.0.1:' + server.address().port });
  analytics.track({ userId: 'u', event: 'Lean' });
  await analytics.closeAndFlush({ timeout: 5000 });
  server.close();
  const files = Object.keys(require.cache).filter((file) => /node_modules[\\\\/]undici[\\\\/]/.test(file)).map((file) => file.replace(/^.*node_modules[\\\\/]undici[\\\\/]/, '').replace(/\\\\/g, '/'));
  process.stdout.write(JSON.stringify({ files, counters: analytics.counters }));
});`;
  const { stdout } = await run(process.execPath, ['-e', program], { timeout: 30_000 });
  const { files, counters } = JSON.parse(stdout) as { files: string[]; counters: { delivered: number } };
  assert.equal(counters.delivered, 1, 'the message was delivered');
  assert.ok(files.includes('lib/dispatcher/pool.js'), files.join(', '));
  assert.deepEqual(files.filter((file) => file === 'index.js' || file.startsWith('lib/web/') || file.startsWith('lib/mock/') || file.startsWith('lib/cache/')), []);
});

test('the first tracking plan loads Ajv and its formats, and compiles', async () => {
  const plan = {
    id: 'tp_lazy',
    version: 1,
    rules: [{ key: 'Signed Up', type: 'TRACK', version: 1, jsonSchema: { type: 'object', properties: { properties: { type: 'object', properties: { at: { type: 'string', format: 'date-time' } } } } } }],
  };
  const loaded = await loadedAfter(`const enforcer = pkg.createPlanEnforcer({ trackingPlan: ${JSON.stringify(plan)} });
if (enforcer.check({ type: 'track', event: 'Signed Up', properties: { at: 'not a time' } }).violations.length !== 1) throw new Error('the date-time format was not checked');`);
  assert.ok(loaded.includes('ajv') && loaded.includes('ajv-formats'), loaded.join(', '));
});

test('pg loads only for a bridge with a queue: an app, and a bridge on its own queue, never load it', async () => {
  const program = `const pkg = require(${JSON.stringify(ENTRY)});
const pgLoaded = () => Object.keys(require.cache).some((file) => /node_modules[\\\\/]pg[\\\\/]/.test(file));
(async () => {
  const seen = [];
  const analytics = new pkg.Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9' });
  await analytics.closeAndFlush({ timeout: 100 });
  const bridge = await pkg.startBridge({ port: 0, writeKey: 'k', host: 'http://127.0.0.1:9' });
  await bridge.close(100);
  seen.push(pgLoaded());
  // A queue that cannot be reached: the bridge rejects, having loaded the client to try.
  await pkg.startBridge({ port: 0, writeKey: 'k', host: 'http://127.0.0.1:9', queue: 'postgres://u@127.0.0.1:1/db' }).catch(() => undefined);
  seen.push(pgLoaded());
  process.stdout.write(JSON.stringify(seen));
})();`;
  const { stdout } = await run(process.execPath, ['-e', program], { timeout: 30_000 });
  assert.deepEqual(JSON.parse(stdout), [false, true]);
});
